// Where a role's values come from is what discovery reports (discover/source.ts); this name stays
// for the modules that still import it from here.
export type { SourceKind, ValueSource } from '../discover/source.js';
