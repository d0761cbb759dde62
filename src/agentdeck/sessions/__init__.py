"""Work sessions: lifecycle, evidence measured from git, agent usage from transcripts."""
