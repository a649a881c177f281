/** uid and gid to names, for messages; the user database implements it. */
export interface Names {
  user(uid: number): string;
  group(gid: number): string;
}
