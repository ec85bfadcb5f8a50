"""Conversion: what a target cannot hold and its loss sentences (adapt), schema inference, schema trees, options."""
