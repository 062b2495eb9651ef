"""Demo province generator and the local copy of an agency API used by the demo."""
