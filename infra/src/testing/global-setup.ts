// Placeholder replaced by the real harness (embedded Postgres + Redis) in the next commit.
export default async function setup(): Promise<void> {}
