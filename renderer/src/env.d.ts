// Brings in Svelte's rune globals ($state, $derived, …) and `*.svelte` module typing for
// the repo-wide tsc run, which does not use svelte-check.
/// <reference types="svelte" />
