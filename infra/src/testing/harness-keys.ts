/** The database every migration is applied to once; each test file clones it. */
export const TEMPLATE_DATABASE = 'commerce_template';
