//! Source-mode analyses, one file per finding kind. (Contract stub: the report helper.)
