/** The release, as package.json says (a test keeps them in step). Its own module: `harbor-audit --version` loads nothing else. */
export const VERSION = '0.1.0';
