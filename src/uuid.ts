// Checks the text of an id before it reaches PostgreSQL, where a malformed uuid is an error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validate(id: string): boolean {
  return UUID.test(id);
}
