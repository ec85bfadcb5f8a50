"""Analyses over decoded data: compare, the format guide's tables, the pickle lab, samples."""
