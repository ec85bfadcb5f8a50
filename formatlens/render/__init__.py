"""Presentation without Streamlit: hexdump windows, value previews, the typed JSON report of a Document."""
