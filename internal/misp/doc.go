// Package misp is Razmena's domain model: the MISP core format (events,
// attributes, objects, tags, organisations, users, roles, auth keys), its
// wire types, validation rules, permission predicates and the store
// contracts that the SQLite and PostgreSQL implementations fulfil.
//
// It imports nothing of ours; every other package may import it.
package misp
