"""The citation styles handbill ships, by name: known without importing the citation
machinery (planning a build, a no-op build, the command line's checks need the names
only)."""

#: Built-in styles by name (files in handbill's assets/csl).
STYLES = {
    "vancouver": "nlm-citation-sequence.csl",
    "nlm-citation-sequence": "nlm-citation-sequence.csl",
    "apa": "apa.csl",
    "ama": "american-medical-association.csl",
    "american-medical-association": "american-medical-association.csl",
    "gb-t-7714": "china-national-standard-gb-t-7714-2015-numeric.csl",
    "china-national-standard-gb-t-7714-2015-numeric":
        "china-national-standard-gb-t-7714-2015-numeric.csl",
}
DEFAULT_STYLE = "vancouver"
#: The short names, as help and messages list them.
BUILT_IN_STYLES = ("vancouver", "apa", "ama", "gb-t-7714")

#: Where a dependent style's parent is looked for, in the project (then among the
#: built-in styles): NAME.csl, NAME the last part of the parent's address.
PARENT_FOLDERS = ("styles", "csl")
