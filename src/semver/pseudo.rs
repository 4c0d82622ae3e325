//! Pseudo-versions (module.IsPseudoVersion and friends): all three forms
//! `vX.0.0-yyyymmddhhmmss-abcdef123456`, `vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef123456`,
//! `vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef123456`. (Contract stub.)
