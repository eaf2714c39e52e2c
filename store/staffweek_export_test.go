package store

// DedupeKeysQuery is DedupeKeys' statement, for the test that reads its plan.
const DedupeKeysQuery = dedupeKeysQuery
