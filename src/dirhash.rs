//! Hash1 (golang.org/x/mod/sumdb/dirhash): the go.sum `h1:` algorithm, over a go.mod file,
//! a module directory or a module zip. (Contract stub: the sum/vendor helper implements it.)
