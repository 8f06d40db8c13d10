-- CIDR correlation (MISP.enable_advanced_correlations; issue 6,
-- docs/correlation.md). Kept in step with postgres/.
--
-- While the setting enable_advanced_correlations is on, the store keeps,
-- for each ip-src or ip-dst attribute that correlates and holds a network
-- (value1 "10.0.0.0/24", "2001:db8::/32"), a correlation_networks row, and
-- for each ip-src, ip-dst, ip-src|port or ip-dst|port attribute that
-- correlates and holds a plain address, a correlation_addresses row. A
-- network correlates with the addresses of other events inside it; the
-- pairs are found when read, never stored. Addresses are big-endian bytes
-- (4 for IPv4, 16 for IPv6, family 4 or 6), which compare as the
-- addresses do: the network's addresses are the range lo..hi of the
-- (family, addr) index, and the networks holding an address are, for each
-- prefix length bits in use, the one row of (family, bits, lo) whose lo
-- is the address masked to bits. Rows follow their attribute and event
-- (ON DELETE CASCADE); the store keeps them in step with every write in
-- the write's own transaction, and adds or drops all of them when the
-- setting is switched.
--
-- The setting's row is created here, off: the store reads it with a
-- share lock on PostgreSQL, and a switch made while a write runs must
-- find a row to update for the write to notice it.

-- +goose Up
CREATE TABLE correlation_networks (
    attribute_id INTEGER NOT NULL PRIMARY KEY REFERENCES attributes (id) ON DELETE CASCADE,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    family       INTEGER NOT NULL,
    bits         INTEGER NOT NULL,
    lo           BLOB    NOT NULL,
    hi           BLOB    NOT NULL
);
CREATE INDEX correlation_networks_prefix_idx ON correlation_networks (family, bits, lo);
CREATE INDEX correlation_networks_event_id_idx ON correlation_networks (event_id);

CREATE TABLE correlation_addresses (
    attribute_id INTEGER NOT NULL PRIMARY KEY REFERENCES attributes (id) ON DELETE CASCADE,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    family       INTEGER NOT NULL,
    addr         BLOB    NOT NULL
);
CREATE INDEX correlation_addresses_addr_idx ON correlation_addresses (family, addr);
CREATE INDEX correlation_addresses_event_id_idx ON correlation_addresses (event_id);

INSERT INTO settings (key, value) VALUES ('enable_advanced_correlations', 'false') ON CONFLICT (key) DO NOTHING;

-- +goose Down
DELETE FROM settings WHERE key = 'enable_advanced_correlations';
DROP TABLE correlation_addresses;
DROP TABLE correlation_networks;
