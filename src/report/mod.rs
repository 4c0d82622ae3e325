//! Report rendering: terminal table, JSON (versioned schema), Markdown, SARIF.
//! (Contract stub: the report helper implements it.)
