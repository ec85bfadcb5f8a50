
%
@xmlnshttp://www.w3.org/2005/Atom
,
author"{"name": "formatlens maintainers"}
Ð
entryÆ[{"title": "Pickles are read without running them", "link": {"@href": "https://example.org/formatlens/safe-pickle"}, "id": "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "updated": "2026-11-20T09:30:00Z", "summary": {"@type": "text", "#text": "Every import and call in a pickle is shown, never executed."}}, {"title": "Hexdumps with byte spans", "link": {"@href": "https://example.org/formatlens/spans"}, "id": "urn:uuid:2c5c2f2e-8b4e-4f7e-9a45-1f1f0b0e3a11", "updated": "2026-11-13T16:00:00Z", "summary": {"@type": "text", "#text": "Click a byte, see the field it belongs to."}}]
3
id-urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6
I
linkA{"@href": "https://example.org/formatlens/", "@rel": "alternate"}
!
titleformatlens release notes

updated2026-11-20T09:30:00Z