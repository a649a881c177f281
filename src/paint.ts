/**
 * The few styles text output uses. Renderers take a Paint so they stay pure; the CLI passes one
 * backed by chalk on a terminal, or `plain` when colour is off (pipe, NO_COLOR, --no-color).
 */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const same = (text: string) => text;

export const plain: Paint = { bold: same, dim: same, red: same, yellow: same, green: same, cyan: same };
