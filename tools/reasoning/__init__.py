"""Pure helpers for the persona search strategies: tests read from a specification, a program
that runs them and reports each, and course prompt techniques applied by rule."""
