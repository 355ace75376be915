/** The database cannot be opened or migrated; `message` names the database and the cause. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}
