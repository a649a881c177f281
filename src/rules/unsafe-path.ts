/**
 * Why advice is words and not a command: someone untrusted can change a directory on the path, so by
 * the time a command is pasted the path could lead out of the tree (a recursive setfacl, a chmod).
 */
export const UNSAFE_PATH =
  'no command is printed: someone besides root, you and the --trust users can change a directory on that path (or will, once the plan gives them write there), and a pasted command could be led out of the tree';
