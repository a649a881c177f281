/** The built-in presets, apart from the schema: the CLI's choices load no zod. */
export const PRESET_NAMES = ['generic', 'magento2', 'laravel', 'symfony', 'wordpress', 'drupal', 'shopware'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
