"""Corpus cases a library cannot meet, each with its reason.

The conformance suite expects exactly these to fail; a case that starts passing
(after a library upgrade) fails the suite too, so the lists stay true.
"""

BSON_ROUND_TRIP = {
    "dbpointer.json": "DBPointer is deprecated: pymongo reads it as a DBRef and writes that back",
    "multi-type-deprecated.json": "holds DBPointer, Symbol and Undefined, which pymongo reads as DBRef, str and None",
    "symbol.json": "Symbol is deprecated: pymongo reads it as str and writes a string back",
    "undefined.json": "Undefined is deprecated: pymongo reads it as None and writes null back",
}
"""BSON corpus files whose valid cases decode but do not re-encode to the same bytes."""

JSON_READ_AS_JSON_WITH_COMMENTS = {
    "n_array_extra_comma.json": "a trailing comma: read as JSON with comments, with a warning (tsconfig.json style)",
    "n_array_number_and_comma.json": "a trailing comma: read as JSON with comments, with a warning",
    "n_object_trailing_comma.json": "a trailing comma: read as JSON with comments, with a warning",
    "n_object_trailing_comment.json": "a /**/ comment: read as JSON with comments, with a warning",
    "n_object_trailing_comment_slash_open.json": "a // comment: read as JSON with comments, with a warning",
    "n_structure_object_with_comment.json": "a /* */ comment: read as JSON with comments, with a warning",
}
"""JSONTestSuite n_ cases (not JSON) that formatlens reads as JSON with comments and says so."""

AVRO_REFUSED = {
    "data/test.avro12": "the pre-1.3 container format (magic Obj\\x00): a negative case, refused by design",
    "lang-c-tests/avro-1237-bad-union-discriminant.avro": "a negative case: a union index outside the union",
    "lang-c-tests/avro-1238-truncated.avro": "a negative case: the last block is truncated",
}
"""Avro corpus files that are refused with a FormatError."""

PARQUET_BAD_DATA_ACCEPTED = {
    "ARROW-GH-43605.parquet": "pyarrow 26 reads it without an error (the corpus MANIFEST says so too)",
}
"""parquet-testing bad_data files that pyarrow reads anyway."""

CSV_SPECTRUM = {
    "location_coordinates": "upstream data error: the expected JSON has phone 1234567890, the CSV 2095257564",
}

YAML_TEST_SUITE = {
    "2JQS": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "2LFX": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found unknown directive name",
    "2SXE": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: mapping values are not allowed in this context",
    "3GZX": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: second occurrence",
    "4ABK": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found unexpected ':'",
    "4MUZ/00": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "4MUZ/01": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "4MUZ/02": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "58MP": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "5MUD": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "5T43": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "6BCT": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "6CA3": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "6LVF": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found unknown directive name",
    "6M2F": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "7Z25": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected <document start>",
    "8XYN": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected alphabetic or numeric character",
    "96NN/00": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found a tab character where an indentation space is expected",
    "96NN/01": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found a tab character where an indentation space is expected",
    "9C9N": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Wrong indented flow sequence",
    "9HCY": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Need document footer before directives "
    "(refused before only because its custom tag was)",
    "9JBA": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Invalid comment after end of flow sequence",
    "9SA2": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "A2M4": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "BEC7": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found incompatible YAML document",
    "CFD4": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "CVW2": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Invalid comment after comma",
    "DBG4": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "DK3J": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected <document start>",
    "DK95/00": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "DK95/01": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Tabs that look like indentation",
    "DK95/03": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "DK95/04": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found a tab character that violates indentation",
    "EB22": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Missing document-end marker before directive",
    "FP8R": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected <document start>",
    "FRK4": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found unexpected ':'",
    "G5U8": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Plain dashes in flow sequence",
    "HM87/00": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "HWV9": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "K3WX": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "M2N8/00": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "M7A3": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected <document start>",
    "MUS6/00": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Directive variants",
    "MUS6/01": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Directive variants",
    "MUS6/05": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found unknown directive name",
    "MUS6/06": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found unknown directive name",
    "NHX8": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "NJ66": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "NKF9": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "PW8X": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: second occurrence",
    "Q5MG": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "QB6E": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Wrong indented multiline quoted scalar",
    "QT73": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected node content",
    "R4YG": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found a tab character where an indentation space is expected",
    "RHX7": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: YAML directive without document end marker",
    "S3PD": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "S98Z": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Block scalar with more spaces than first content line",
    "SM9W/01": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "SU5Z": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Comment without whitespace after doublequoted scalar",
    "UKK6/00": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected key",
    "UT92": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "VJP3/01": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected ',' or '}'",
    "W4TN": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: could not find expected directive name",
    "W5VH": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: did not find expected alphabetic or numeric character",
    "X4QW": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Comment without whitespace after block scalar indicator",
    "Y79Y/001": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found a tab character where an indentation space is expected",
    "Y79Y/003": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Tabs in various contexts",
    "Y79Y/010": "valid YAML 1.2 that PyYAML (YAML 1.1) rejects: found character that cannot start any token",
    "YJV2": "invalid YAML that PyYAML (a YAML 1.1 parser) accepts: Dash in flow sequence",
}
"""yaml-test-suite case IDs where PyYAML's verdict differs from the suite's (error vs no error)."""

YAML_TEST_SUITE_VALUES = {
    # PyYAML reads YAML 1.1: its types, not the suite's YAML 1.2 core schema (in.json has strings here)
    "RZT7": "YAML 1.1 timestamps: PyYAML reads '2001-11-23 15:01:42 -5' as a datetime, in.json has the text",
    "UGM3": "YAML 1.1 timestamp: PyYAML reads 2001-01-23 as a date, in.json has the text",
    "U9NS": "YAML 1.1 sexagesimal integers: PyYAML reads 20:03:20 as 72200, in.json has the text",
    "565N": "!!binary: PyYAML reads the base64 text as bytes (what the tag means), in.json has the text",
    "2XXW": "!!set: PyYAML reads a Python set, in.json a mapping of keys to null (the same data)",
    "J7PZ": "!!omap: PyYAML reads (key, value) pairs, in.json a list of one-key mappings (the same data)",
    # PyYAML parser bugs: the value differs from what the YAML says
    "S4JQ": "PyYAML resolves `! 12` (the non-specific tag, a string) as the integer 12",
    "652Z": "PyYAML reads the flow key `?foo` as the key foo (a `?` indicator), YAML 1.2 as the text '?foo'",
    "HM87/01": "PyYAML reads `[?x]` as a mapping {x: null} in a list, YAML 1.2 as the text '?x'",
    "JEF9/02": "PyYAML drops the kept (|+) trailing line break of a block scalar at the end of the stream",
    "L24T/01": "PyYAML drops the kept (|+) line of spaces after a block scalar's last line",
    "Y2GN": "PyYAML ends the anchor `&an:chor` at the colon and reads ':chor value' as the value",
}
"""yaml-test-suite cases PyYAML accepts whose value (tags unwrapped) differs from the suite's in.json."""
