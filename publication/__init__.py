"""Publication: what people read, replaced atomically only after the gates pass."""
