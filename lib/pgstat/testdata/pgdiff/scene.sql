-- The scene of the pgmetrics differential test (pgdiff_test.go): run on a
-- fresh cluster (autovacuum off) in the database "pgdiff", one statement per
-- ";" at a line end, each in its own transaction. @TABLESPACE_DIR@ is
-- replaced by an empty directory the server owns. pgmetrics 1.19's output on
-- this scene is testdata/pgdiff/pgmetrics-1.19-pgNN.json.
CREATE ROLE readers NOLOGIN;
CREATE ROLE writers NOLOGIN;
CREATE TABLESPACE pgdiff_ts LOCATION '@TABLESPACE_DIR@';
CREATE EXTENSION pg_stat_statements;
-- Bloat: a third of t1's rows deleted, no vacuum (dead rows stay).
CREATE TABLE t1 (id int PRIMARY KEY, note text, qty int);
INSERT INTO t1 SELECT g, 'note ' || g, g % 100 FROM generate_series(1, 30000) g;
CREATE INDEX t1_note_idx ON t1 (note);
DELETE FROM t1 WHERE id % 3 = 0;
-- The counts flushed before ANALYZE: flushed after it (when the scene runs
-- in less than a second) they would add 40000 changes and 20000 live rows
-- to what ANALYZE set, so n_live_tup would depend on the machine's speed.
SELECT pg_stat_force_next_flush();
ANALYZE t1;
-- Vacuumed: t2 has free-space and visibility-map forks. In the tablespace.
CREATE TABLE t2 (id bigserial PRIMARY KEY, payload text) TABLESPACE pgdiff_ts;
INSERT INTO t2 (payload) SELECT repeat('x', 200) FROM generate_series(1, 2000);
DELETE FROM t2 WHERE id <= 500;
SELECT pg_stat_force_next_flush();
VACUUM (ANALYZE) t2;
CREATE TABLE empty_t (id int);
-- ACLs for two roles.
GRANT SELECT ON t1 TO readers;
GRANT SELECT, INSERT, UPDATE ON t1 TO writers;
GRANT SELECT ON t2 TO readers;
-- Sequences: one called, one never called.
CREATE SEQUENCE used_seq;
SELECT nextval('used_seq');
CREATE SEQUENCE never_seq MAXVALUE 1000;
-- Scans the counters can show.
SELECT count(*) FROM t1;
SELECT * FROM t1 WHERE id = 42;
-- A setting from a configuration file (postgresql.auto.conf); the test
-- waits for the reload.
ALTER SYSTEM SET work_mem = '8MB';
SELECT pg_reload_conf();
-- PG15+ flushes statistics lazily: force it so both tools see the counts.
SELECT pg_stat_force_next_flush();
