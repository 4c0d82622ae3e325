//! Module graphs (petgraph) and Go's minimal version selection, with graph pruning for
//! `go >= 1.17`. (Contract stub: the report helper implements it.)
