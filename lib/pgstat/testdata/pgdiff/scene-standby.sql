-- The replication scene of the pgmetrics differential test
-- (pgdiff_standby_test.go): after scene.sql, a streaming standby is started
-- (pgsandbox.StartStandby, slot standby_1), then this runs on the primary
-- in the database "pgdiff", and the test waits for the standby to replay
-- it. It gives the standby a replayed transaction
-- (last_xact_replay_timestamp). pgmetrics 1.19's output on the standby and
-- on the primary is testdata/pgdiff/pgmetrics-1.19-pgNN-{standby,primary}.json.
CREATE TABLE after_standby (id int PRIMARY KEY, note text);
INSERT INTO after_standby VALUES (1, 'replayed');
-- Statistics flushed now, so both tools see the same counts.
SELECT pg_stat_force_next_flush();
