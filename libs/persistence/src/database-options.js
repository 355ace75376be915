"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.describeDatabase = describeDatabase;
/** A description safe to print: never the password. */
function describeDatabase(options) {
    if (options.url === undefined)
        return `embedded PGlite database in ${options.dataDir}`;
    try {
        const url = new URL(options.url);
        return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
    }
    catch {
        return 'PostgreSQL (DATABASE_URL is not a valid URL)';
    }
}
//# sourceMappingURL=database-options.js.map