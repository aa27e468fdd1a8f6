"""Speech: decode audio bytes to 16 kHz mono, limits and silence, figures, Whisper transcripts."""
