"""Streamlit-only helpers. Nothing outside formatlens/ui imports streamlit."""
