/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_migrate.c - the versioned schema of the PostgreSQL store (the
 * fleet's central database) and its server-side functions.  Above the core
 * only.
 *
 * The version lives in hwall_schema.  Each migration moves the database
 * from version N-1 to N inside one transaction that holds an advisory lock
 * (two controlds starting at once migrate one after the other), so a crash
 * leaves the old version intact.  Append-only: once released, a step is
 * never edited; changes come as a new step.  The tables mirror the SQLite
 * store's (store_sqlite_migrate.c, version 7) plus what a fleet needs:
 * the appliance of every occurrence and ingest mark, the appliances'
 * status snapshots, and the decisions that edges follow.
 */
#include "control/store_pg_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#define CTL_PG_MIGRATE_LOCK "7236854823120" /* pg_advisory_xact_lock key */

/* Version 1: the store's tables; candidates unique per (set, algo, digest,
 * host, path) over md5 of host and path (a path may be longer than a
 * B-tree entry may hold); reviews append-only; occurrences and ingest
 * marks per appliance; decisions, numbered, announced by NOTIFY. */
static const char migration_1[] =
	"CREATE TABLE candidates ("
	"  id bigserial PRIMARY KEY,"
	"  set_id text NOT NULL, algo text NOT NULL, digest text NOT NULL,"
	"  host text NOT NULL, path text NOT NULL,"
	"  set_version bigint NOT NULL, server_ip text NOT NULL, server_port integer NOT NULL,"
	"  category bigint NOT NULL, ref bigint NOT NULL,"
	"  status text NOT NULL DEFAULT 'new'"
	"    CHECK (status IN ('new','confirmed','taken_down','false_positive')),"
	"  first_seen bigint NOT NULL, last_seen bigint NOT NULL,"
	"  occurrences bigint NOT NULL, reopened integer NOT NULL DEFAULT 0,"
	"  host_truncated boolean NOT NULL DEFAULT false,"
	"  path_truncated boolean NOT NULL DEFAULT false);"
	"CREATE UNIQUE INDEX candidates_key ON candidates (set_id, algo, digest, md5(host), md5(path));"
	"CREATE INDEX candidates_last_seen ON candidates (last_seen, id);"
	"CREATE INDEX candidates_host ON candidates (md5(host));"
	"CREATE TABLE occurrences ("
	"  id bigserial PRIMARY KEY,"
	"  candidate_id bigint NOT NULL REFERENCES candidates (id),"
	"  appliance text NOT NULL,"
	"  seen bigint NOT NULL, client text NOT NULL, method text NOT NULL,"
	"  server_ip text NOT NULL, server_port integer NOT NULL,"
	"  http_status integer NOT NULL, size bigint NOT NULL,"
	"  complete boolean NOT NULL, partial boolean NOT NULL,"
	"  dataplane text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL,"
	"  normalised bigint NOT NULL DEFAULT 0,"
	"  UNIQUE (appliance, dataplane, epoch, seq));"
	"CREATE INDEX occurrences_candidate ON occurrences (candidate_id, seen);"
	"CREATE INDEX occurrences_seen ON occurrences (seen);"
	"CREATE INDEX occurrences_appliance ON occurrences (appliance, candidate_id);"
	"CREATE TABLE reviews ("
	"  id bigserial PRIMARY KEY,"
	"  candidate_id bigint NOT NULL REFERENCES candidates (id),"
	"  at bigint NOT NULL, actor text NOT NULL,"
	"  from_status text NOT NULL, to_status text NOT NULL, note text NOT NULL,"
	"  allow_scope text NOT NULL DEFAULT '');"
	"CREATE INDEX reviews_candidate ON reviews (candidate_id, id);"
	"CREATE FUNCTION hwall_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	"  $$BEGIN RAISE EXCEPTION 'reviews are append-only'; END$$;"
	"CREATE TRIGGER reviews_append_only BEFORE UPDATE OR DELETE ON reviews"
	"  FOR EACH ROW EXECUTE FUNCTION hwall_append_only();"
	"CREATE TABLE ingest_peers ("
	"  appliance text NOT NULL, dataplane text NOT NULL, epoch text NOT NULL,"
	"  last_seq bigint NOT NULL, updated bigint NOT NULL,"
	"  PRIMARY KEY (appliance, dataplane, epoch));"
	"CREATE TABLE allowlist ("
	"  algo text NOT NULL, digest text NOT NULL, set_id text NOT NULL DEFAULT '',"
	"  added bigint NOT NULL, actor text NOT NULL, note text NOT NULL,"
	"  candidate_id bigint NOT NULL DEFAULT 0, PRIMARY KEY (algo, digest, set_id));"
	"CREATE TABLE blocks ("
	"  id bigserial PRIMARY KEY,"
	"  host text NOT NULL, path text NOT NULL, candidate_id bigint NOT NULL,"
	"  source text NOT NULL CHECK (source IN ('auto','manual')),"
	"  created bigint NOT NULL, expires bigint NOT NULL, actor text NOT NULL);"
	"CREATE UNIQUE INDEX blocks_url ON blocks (md5(host), md5(path));"
	"CREATE INDEX blocks_candidate ON blocks (candidate_id);"
	"CREATE TABLE appliances ("
	"  id text PRIMARY KEY, first_contact bigint NOT NULL, last_contact bigint NOT NULL,"
	"  status text NOT NULL DEFAULT '{}');"
	"CREATE TABLE decisions ("
	"  seq bigserial PRIMARY KEY, at bigint NOT NULL,"
	"  kind text NOT NULL CHECK (kind IN ('status','allow','unallow','block','unblock')),"
	"  appliances text[],"
	"  set_id text NOT NULL DEFAULT '', algo text NOT NULL DEFAULT '',"
	"  digest text NOT NULL DEFAULT '', host text NOT NULL DEFAULT '',"
	"  path text NOT NULL DEFAULT '', status text NOT NULL DEFAULT '',"
	"  allow_scope text NOT NULL DEFAULT '', actor text NOT NULL, note text NOT NULL DEFAULT '');"
	"CREATE FUNCTION hwall_decision_notify() RETURNS trigger LANGUAGE plpgsql AS"
	"  $$BEGIN PERFORM pg_notify('hwall_decisions', NEW.seq::text); RETURN NULL; END$$;"
	"CREATE TRIGGER decisions_notify AFTER INSERT ON decisions"
	"  FOR EACH ROW EXECUTE FUNCTION hwall_decision_notify();";

/* Version 2: recording an event in one round trip (what
 * store_sqlite_ingest.c does in several statements): a (appliance,
 * dataplane, epoch, seq) already stored is a duplicate; the allowlist;
 * the candidate (created, updated, or reopened with its audit row); the
 * occurrence.  The ingest mark is the caller's (store_pg_ingest.c keeps
 * it per transaction and writes it once, at commit: a row updated per
 * event would grow a chain of versions that every later event walks). */
static const char migration_2[] =
	"CREATE FUNCTION hwall_record(p_app text, p_dp text, p_epoch text, p_seq bigint,"
	"  p_set text, p_algo text, p_digest text, p_host text, p_path text,"
	"  p_set_version bigint, p_server_ip text, p_server_port integer, p_category bigint,"
	"  p_ref bigint, p_ts bigint, p_host_trunc boolean, p_path_trunc boolean,"
	"  p_client text, p_method text, p_http_status integer, p_size bigint,"
	"  p_complete boolean, p_partial boolean, p_normalised bigint,"
	"  OUT r_id bigint, OUT r_created boolean, OUT r_reopened boolean,"
	"  OUT r_allowlisted boolean, OUT r_duplicate boolean)"
	" LANGUAGE plpgsql AS $$"
	"DECLARE v_status text;"
	"BEGIN"
	"  r_id := 0; r_created := false; r_reopened := false;"
	"  r_allowlisted := false; r_duplicate := false;"
	"  IF EXISTS (SELECT 1 FROM occurrences WHERE appliance = p_app AND dataplane = p_dp"
	"      AND epoch = p_epoch AND seq = p_seq) THEN r_duplicate := true; RETURN; END IF;"
	"  IF EXISTS (SELECT 1 FROM allowlist WHERE algo = p_algo AND digest = p_digest"
	"      AND set_id IN ('', p_set)) THEN r_allowlisted := true; RETURN; END IF;"
	"  LOOP"
	"    SELECT id, status INTO r_id, v_status FROM candidates WHERE set_id = p_set"
	"      AND algo = p_algo AND digest = p_digest AND md5(host) = md5(p_host)"
	"      AND md5(path) = md5(p_path) FOR UPDATE;"
	"    IF FOUND THEN"
	"      UPDATE candidates SET set_version = p_set_version, server_ip = p_server_ip,"
	"        server_port = p_server_port, category = p_category, ref = p_ref,"
	"        first_seen = least(first_seen, p_ts), last_seen = greatest(last_seen, p_ts),"
	"        occurrences = occurrences + 1,"
	"        host_truncated = host_truncated OR p_host_trunc,"
	"        path_truncated = path_truncated OR p_path_trunc,"
	"        status = CASE WHEN status = 'taken_down' THEN 'confirmed' ELSE status END,"
	"        reopened = reopened + CASE WHEN status = 'taken_down' THEN 1 ELSE 0 END"
	"        WHERE id = r_id;"
	"      IF v_status = 'taken_down' THEN"
	"        r_reopened := true;"
	"        INSERT INTO reviews (candidate_id, at, actor, from_status, to_status, note)"
	"          VALUES (r_id, p_ts, 'controld', 'taken_down', 'confirmed',"
	"                  'served again after takedown');"
	"      END IF;"
	"      EXIT;"
	"    END IF;"
	"    INSERT INTO candidates (set_id, algo, digest, host, path, set_version, server_ip,"
	"      server_port, category, ref, first_seen, last_seen, occurrences, host_truncated,"
	"      path_truncated) VALUES (p_set, p_algo, p_digest, p_host, p_path, p_set_version,"
	"      p_server_ip, p_server_port, p_category, p_ref, p_ts, p_ts, 1, p_host_trunc,"
	"      p_path_trunc) ON CONFLICT DO NOTHING RETURNING id INTO r_id;"
	"    IF FOUND THEN r_created := true; EXIT; END IF;"
	"  END LOOP;"
	"  INSERT INTO occurrences (candidate_id, appliance, seen, client, method, server_ip,"
	"    server_port, http_status, size, complete, partial, dataplane, epoch, seq,"
	"    normalised) VALUES (r_id, p_app, p_ts, p_client, p_method, p_server_ip,"
	"    p_server_port, p_http_status, p_size, p_complete, p_partial, p_dp, p_epoch,"
	"    p_seq, p_normalised);"
	"END $$;"
	"CREATE FUNCTION hwall_mark(p_app text, p_dp text, p_epoch text, p_seq bigint,"
	"  p_updated bigint) RETURNS void LANGUAGE sql AS"
	"  $$INSERT INTO ingest_peers (appliance, dataplane, epoch, last_seq, updated)"
	"    VALUES (p_app, p_dp, p_epoch, p_seq, p_updated) ON CONFLICT (appliance, dataplane,"
	"    epoch) DO UPDATE SET last_seq = greatest(ingest_peers.last_seq, excluded.last_seq),"
	"    updated = excluded.updated$$;";

/* Version 3: a review in one round trip: the status, its consequences
 * (allowlist entry for the scope asked, blocks lifted; or the entry this
 * candidate made lifted), the audit row, and the decision that carries it
 * to the edges: every edge for what touches the allowlist, the edges that
 * saw the candidate otherwise.  r_code: 0, -2 (ENOENT), -114 (EALREADY). */
static const char migration_3[] =
	"CREATE FUNCTION hwall_review(p_id bigint, p_to text, p_actor text, p_note text,"
	"  p_scope text, p_now bigint, OUT r_code integer, OUT r_from text,"
	"  OUT r_allow_added boolean, OUT r_allow_removed boolean, OUT r_blocks bigint)"
	" LANGUAGE plpgsql AS $$"
	"DECLARE c candidates%ROWTYPE; n bigint;"
	"BEGIN"
	"  r_code := 0; r_allow_added := false; r_allow_removed := false; r_blocks := 0;"
	"  SELECT * INTO c FROM candidates WHERE id = p_id FOR UPDATE;"
	"  IF NOT FOUND THEN r_code := -2; RETURN; END IF;"
	"  r_from := c.status;"
	"  IF c.status = p_to THEN r_code := -114; RETURN; END IF;"
	"  UPDATE candidates SET status = p_to WHERE id = p_id;"
	"  IF p_to = 'false_positive' THEN"
	"    INSERT INTO allowlist (algo, digest, set_id, added, actor, note, candidate_id)"
	"      VALUES (c.algo, c.digest, CASE WHEN p_scope = 'set' THEN c.set_id ELSE '' END,"
	"              p_now, p_actor, 'false positive', p_id) ON CONFLICT DO NOTHING;"
	"    GET DIAGNOSTICS n = ROW_COUNT; r_allow_added := n > 0;"
	"    DELETE FROM blocks WHERE candidate_id = p_id;"
	"    GET DIAGNOSTICS n = ROW_COUNT; r_blocks := n;"
	"  ELSIF c.status = 'false_positive' THEN"
	"    DELETE FROM allowlist WHERE candidate_id = p_id;"
	"    GET DIAGNOSTICS n = ROW_COUNT; r_allow_removed := n > 0;"
	"  END IF;"
	"  INSERT INTO reviews (candidate_id, at, actor, from_status, to_status, note, allow_scope)"
	"    VALUES (p_id, p_now, p_actor, c.status, p_to, p_note,"
	"            CASE WHEN r_allow_added THEN p_scope ELSE '' END);"
	"  INSERT INTO decisions (at, kind, appliances, set_id, algo, digest, host, path, status,"
	"    allow_scope, actor, note) VALUES (p_now, 'status',"
	"    CASE WHEN p_to = 'false_positive' OR c.status = 'false_positive' THEN NULL"
	"      ELSE ARRAY(SELECT DISTINCT appliance FROM occurrences WHERE candidate_id = p_id"
	"                 AND appliance <> '') END,"
	"    c.set_id, c.algo, c.digest, c.host, c.path, p_to,"
	"    CASE WHEN p_to = 'false_positive' THEN p_scope ELSE '' END, p_actor, p_note);"
	"END $$;";

/* Version 4: least privilege for edges.  An edge logs in as its own role,
 * named as its appliance id and a member of hwall_edge (created here when
 * missing: the migrating role needs CREATEROLE, or a DBA creates it
 * first).  It may only call hwall_record() and hwall_review() (which run
 * as their owner), and triggers refuse rows of another appliance and
 * reviews of candidates it never saw; row-level security lets it read
 * only its own occurrences, marks and status, the candidates it saw, and
 * the decisions addressed to it (or to every edge).  The owner (the
 * central controld, which runs migrate) is not restricted. */
static const char migration_4[] =
	"DO $$BEGIN"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hwall_edge') THEN"
	"    CREATE ROLE hwall_edge NOLOGIN;"
	"  END IF;"
	"END$$;"
	"CREATE FUNCTION hwall_is_edge() RETURNS boolean LANGUAGE sql STABLE AS"
	"  $$SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
	"    JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = 'hwall_edge'"
	"    AND u.rolname = session_user)$$;"
	"CREATE FUNCTION hwall_own_appliance() RETURNS trigger LANGUAGE plpgsql AS $$"
	"BEGIN"
	"  IF hwall_is_edge() AND NEW.appliance <> session_user THEN"
	"    RAISE EXCEPTION 'appliance % may not write rows of %', session_user, NEW.appliance"
	"      USING ERRCODE = '42501';"
	"  END IF;"
	"  RETURN NEW;"
	"END$$;"
	"CREATE TRIGGER occurrences_own BEFORE INSERT OR UPDATE ON occurrences"
	"  FOR EACH ROW EXECUTE FUNCTION hwall_own_appliance();"
	"CREATE TRIGGER ingest_peers_own BEFORE INSERT OR UPDATE ON ingest_peers"
	"  FOR EACH ROW EXECUTE FUNCTION hwall_own_appliance();"
	"CREATE FUNCTION hwall_own_review() RETURNS trigger LANGUAGE plpgsql AS $$"
	"BEGIN"
	"  IF hwall_is_edge() AND (position(session_user || ':' IN NEW.actor) <> 1"
	"      OR NOT EXISTS (SELECT 1 FROM occurrences WHERE candidate_id = NEW.candidate_id"
	"                     AND appliance = session_user)) THEN"
	"    RAISE EXCEPTION 'appliance % may only review what it saw', session_user"
	"      USING ERRCODE = '42501';"
	"  END IF;"
	"  RETURN NEW;"
	"END$$;"
	"CREATE TRIGGER reviews_own BEFORE INSERT ON reviews"
	"  FOR EACH ROW EXECUTE FUNCTION hwall_own_review();"
	"DO $$BEGIN"
	"  EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_catalog',"
	"                 'hwall_record'::regproc::regprocedure);"
	"  EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_catalog',"
	"                 'hwall_review'::regproc::regprocedure);"
	"  EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_catalog',"
	"                 'hwall_mark'::regproc::regprocedure);"
	"  EXECUTE format('REVOKE ALL ON FUNCTION %s, %s, %s FROM PUBLIC',"
	"                 'hwall_record'::regproc::regprocedure, 'hwall_review'::regproc::regprocedure,"
	"                 'hwall_mark'::regproc::regprocedure);"
	"  EXECUTE format('GRANT EXECUTE ON FUNCTION %s, %s, %s TO hwall_edge',"
	"                 'hwall_record'::regproc::regprocedure, 'hwall_review'::regproc::regprocedure,"
	"                 'hwall_mark'::regproc::regprocedure);"
	"END$$;"
	"GRANT SELECT ON hwall_schema, candidates, occurrences, ingest_peers, decisions"
	"  TO hwall_edge;"
	"GRANT SELECT, INSERT, UPDATE ON appliances TO hwall_edge;"
	"ALTER TABLE candidates ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE occurrences ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE ingest_peers ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE appliances ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY edge_candidates ON candidates FOR SELECT TO hwall_edge USING"
	"  (EXISTS (SELECT 1 FROM occurrences o WHERE o.candidate_id = candidates.id"
	"           AND o.appliance = session_user));"
	"CREATE POLICY edge_occurrences ON occurrences FOR SELECT TO hwall_edge"
	"  USING (appliance = session_user);"
	"CREATE POLICY edge_marks ON ingest_peers FOR SELECT TO hwall_edge"
	"  USING (appliance = session_user);"
	"CREATE POLICY edge_decisions ON decisions FOR SELECT TO hwall_edge"
	"  USING (appliances IS NULL OR session_user = ANY (appliances));"
	"CREATE POLICY edge_status ON appliances FOR ALL TO hwall_edge"
	"  USING (id = session_user) WITH CHECK (id = session_user);";

/* Version 5: the tamper-evident audit trail (control/audit.h; hashes and
 * signatures as hex text), flood quarantines (control/quarantine.h), and
 * the indexes the flood check and the transparency report need (as
 * SQLite's version 9). */
static const char migration_5[] =
	"CREATE TABLE audit ("
	"  seq bigint PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL,"
	"  action text NOT NULL, object text NOT NULL, detail text NOT NULL,"
	"  prev text NOT NULL, hash text NOT NULL, sig text);"
	"CREATE FUNCTION hwall_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
	"BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;"
	"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit"
	"  FOR EACH ROW EXECUTE FUNCTION hwall_audit_append_only();"
	"CREATE TABLE quarantine ("
	"  id bigserial PRIMARY KEY, algo text NOT NULL, digest text NOT NULL,"
	"  set_id text NOT NULL,"
	"  state text NOT NULL CHECK (state IN ('active', 'released', 'confirmed')),"
	"  hosts bigint NOT NULL, urls bigint NOT NULL, since bigint NOT NULL,"
	"  decided bigint NOT NULL DEFAULT 0, actor text NOT NULL DEFAULT '');"
	"CREATE INDEX quarantine_digest ON quarantine (digest, algo, id);"
	"CREATE INDEX candidates_digest ON candidates (digest);"
	"CREATE INDEX reviews_at ON reviews (at);";

/* Version 6: what the fleet learnt after version 4 went out.
 *  - Retroactive matches (docs/journal.md) in the central store: candidates
 *    get the flag, and hwall_record() takes the journal's first time and
 *    count (a match the candidate covers already is "known", not stored);
 *    the new function replaces the old one, with the same privileges.
 *  - An edge role's own reopen: the audit row "controld" writes when its
 *    occurrence of a taken_down candidate arrives is admitted.
 *  - hwall_record_batch(): a batch of events in one statement, for the
 *    fleet uplink: the rows arrive as one JSON array; those already stored
 *    (same appliance, dataplane, epoch and sequence number, or at or below
 *    the ingest mark) and allowlisted ones are dropped; the rest are
 *    grouped per candidate, which is inserted or updated once per batch in
 *    key order (so two appliances never lock the same candidates in
 *    opposite orders), a taken_down one (locked first, so what is reopened
 *    is what the update sees) reopened with its audit row; the occurrences
 *    go in with one INSERT; the marks move to each peer's highest number.
 *    r_new: the occurrences stored.  Runs as its owner for edge roles
 *    (version 4's triggers still refuse another appliance's rows). */
static const char migration_6[] =
	"ALTER TABLE candidates ADD COLUMN retroactive boolean NOT NULL DEFAULT false;"
	"DROP FUNCTION hwall_record(text, text, text, bigint, text, text, text, text, text, "
	"  bigint, text, integer, bigint, bigint, bigint, boolean, "
	"  boolean, text, text, integer, bigint, boolean, boolean, "
	"  bigint);"
	"CREATE FUNCTION hwall_record(p_app text, p_dp text, p_epoch text, p_seq bigint,"
	"  p_set text, p_algo text, p_digest text, p_host text, p_path text,"
	"  p_set_version bigint, p_server_ip text, p_server_port integer, p_category bigint,"
	"  p_ref bigint, p_ts bigint, p_host_trunc boolean, p_path_trunc boolean,"
	"  p_client text, p_method text, p_http_status integer, p_size bigint,"
	"  p_complete boolean, p_partial boolean, p_normalised bigint,"
	"  p_retro boolean, p_first_served bigint, p_serve_count bigint,"
	"  OUT r_id bigint, OUT r_created boolean, OUT r_reopened boolean,"
	"  OUT r_allowlisted boolean, OUT r_duplicate boolean, OUT r_known boolean)"
	" LANGUAGE plpgsql AS $$"
	"DECLARE v_status text; v_first bigint; v_last bigint;"
	"BEGIN"
	"  r_id := 0; r_created := false; r_reopened := false;"
	"  r_allowlisted := false; r_duplicate := false; r_known := false;"
	"  IF EXISTS (SELECT 1 FROM occurrences WHERE appliance = p_app AND dataplane = p_dp"
	"      AND epoch = p_epoch AND seq = p_seq) THEN r_duplicate := true; RETURN; END IF;"
	"  IF EXISTS (SELECT 1 FROM allowlist WHERE algo = p_algo AND digest = p_digest"
	"      AND set_id IN ('', p_set)) THEN r_allowlisted := true; RETURN; END IF;"
	"  LOOP"
	"    SELECT id, status, first_seen, last_seen INTO r_id, v_status, v_first, v_last"
	"      FROM candidates WHERE set_id = p_set"
	"      AND algo = p_algo AND digest = p_digest AND md5(host) = md5(p_host)"
	"      AND md5(path) = md5(p_path) FOR UPDATE;"
	"    IF FOUND AND p_retro THEN"
	"      IF v_first <= p_first_served AND v_last >= p_ts THEN"
	"        r_known := true; RETURN;"
	"      END IF;"
	"      UPDATE candidates SET first_seen = least(first_seen, p_first_served),"
	"        last_seen = greatest(last_seen, p_ts), occurrences = occurrences + p_serve_count"
	"        WHERE id = r_id;"
	"      EXIT;"
	"    END IF;"
	"    IF FOUND THEN"
	"      UPDATE candidates SET set_version = p_set_version, server_ip = p_server_ip,"
	"        server_port = p_server_port, category = p_category, ref = p_ref,"
	"        first_seen = least(first_seen, p_ts), last_seen = greatest(last_seen, p_ts),"
	"        occurrences = occurrences + 1,"
	"        host_truncated = host_truncated OR p_host_trunc,"
	"        path_truncated = path_truncated OR p_path_trunc,"
	"        status = CASE WHEN status = 'taken_down' THEN 'confirmed' ELSE status END,"
	"        reopened = reopened + CASE WHEN status = 'taken_down' THEN 1 ELSE 0 END"
	"        WHERE id = r_id;"
	"      IF v_status = 'taken_down' THEN"
	"        r_reopened := true;"
	"        INSERT INTO reviews (candidate_id, at, actor, from_status, to_status, note)"
	"          VALUES (r_id, p_ts, 'controld', 'taken_down', 'confirmed',"
	"                  'served again after takedown');"
	"      END IF;"
	"      EXIT;"
	"    END IF;"
	"    INSERT INTO candidates (set_id, algo, digest, host, path, set_version, server_ip,"
	"      server_port, category, ref, first_seen, last_seen, occurrences, host_truncated,"
	"      path_truncated, retroactive) VALUES (p_set, p_algo, p_digest, p_host, p_path,"
	"      p_set_version, p_server_ip, p_server_port, p_category, p_ref,"
	"      CASE WHEN p_retro THEN p_first_served ELSE p_ts END, p_ts,"
	"      CASE WHEN p_retro THEN p_serve_count ELSE 1 END, p_host_trunc, p_path_trunc,"
	"      p_retro) ON CONFLICT DO NOTHING RETURNING id INTO r_id;"
	"    IF FOUND THEN r_created := true; EXIT; END IF;"
	"  END LOOP;"
	"  INSERT INTO occurrences (candidate_id, appliance, seen, client, method, server_ip,"
	"    server_port, http_status, size, complete, partial, dataplane, epoch, seq,"
	"    normalised) VALUES (r_id, p_app, p_ts, p_client, p_method, p_server_ip,"
	"    p_server_port, p_http_status, p_size, p_complete, p_partial, p_dp, p_epoch,"
	"    p_seq, p_normalised);"
	"END $$;"
	"ALTER FUNCTION hwall_record(text, text, text, bigint, text, text, text, text, text, "
	"  bigint, text, integer, bigint, bigint, bigint, boolean, "
	"  boolean, text, text, integer, bigint, boolean, boolean, "
	"  bigint, boolean, bigint, bigint) SECURITY DEFINER;"
	"ALTER FUNCTION hwall_record(text, text, text, bigint, text, text, text, text, text, "
	"  bigint, text, integer, bigint, bigint, bigint, boolean, "
	"  boolean, text, text, integer, bigint, boolean, boolean, "
	"  bigint, boolean, bigint, bigint) SET search_path = public, pg_catalog;"
	"REVOKE ALL ON FUNCTION hwall_record(text, text, text, bigint, text, text, text, text, text, "
	"  bigint, text, integer, bigint, bigint, bigint, boolean, "
	"  boolean, text, text, integer, bigint, boolean, boolean, "
	"  bigint, boolean, bigint, bigint) FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION hwall_record(text, text, text, bigint, text, text, text, text, text, "
	"  bigint, text, integer, bigint, bigint, bigint, boolean, "
	"  boolean, text, text, integer, bigint, boolean, boolean, "
	"  bigint, boolean, bigint, bigint) TO hwall_edge;"
	"CREATE OR REPLACE FUNCTION hwall_own_review() RETURNS trigger LANGUAGE plpgsql AS $$"
	"BEGIN"
	"  IF hwall_is_edge() AND ((position(session_user || ':' IN NEW.actor) <> 1"
	"                           AND NEW.actor <> 'controld')"
	"      OR NOT EXISTS (SELECT 1 FROM occurrences WHERE candidate_id = NEW.candidate_id"
	"                     AND appliance = session_user)) THEN"
	"    RAISE EXCEPTION 'appliance % may only review what it saw', session_user"
	"      USING ERRCODE = '42501';"
	"  END IF;"
	"  RETURN NEW;"
	"END$$;"
	"CREATE FUNCTION hwall_record_batch(p_app text, p_rows jsonb, OUT r_new bigint)"
	" LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$"
	"DECLARE v_reopen bigint[];"
	"BEGIN"
	"  SELECT coalesce(array_agg(id), '{}') INTO v_reopen FROM (SELECT c.id FROM candidates c"
	"    JOIN (SELECT DISTINCT set_id, algo, digest, host, path FROM jsonb_to_recordset(p_rows)"
	"          AS x(set_id text, algo text, digest text, host text, path text)) k"
	"    ON c.set_id = k.set_id AND c.algo = k.algo AND c.digest = k.digest"
	"    AND md5(c.host) = md5(k.host) AND md5(c.path) = md5(k.path)"
	"    WHERE c.status = 'taken_down' ORDER BY c.id FOR UPDATE OF c) t;"
	"  WITH ev AS (SELECT * FROM jsonb_to_recordset(p_rows) AS x(dp text, epoch text,"
	"      seq bigint, set_id text, algo text, digest text, host text, path text,"
	"      set_version bigint, server_ip text, server_port integer, category bigint,"
	"      ref bigint, ts bigint, host_trunc boolean, path_trunc boolean, client text,"
	"      method text, http_status integer, size bigint, complete boolean,"
	"      partial boolean, normalised bigint, retro boolean)),"
	"  fresh AS (SELECT ev.* FROM ev WHERE"
	"      ev.seq > coalesce((SELECT last_seq FROM ingest_peers m WHERE m.appliance = p_app"
	"                         AND m.dataplane = ev.dp AND m.epoch = ev.epoch), 0)"
	"      AND NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.appliance = p_app"
	"                      AND o.dataplane = ev.dp AND o.epoch = ev.epoch AND o.seq = ev.seq)"
	"      AND NOT EXISTS (SELECT 1 FROM allowlist a WHERE a.algo = ev.algo"
	"                      AND a.digest = ev.digest AND a.set_id IN ('', ev.set_id))),"
	"  agg AS (SELECT set_id, algo, digest, host, path,"
	"      (array_agg(set_version ORDER BY ts DESC, seq DESC))[1] AS set_version,"
	"      (array_agg(server_ip ORDER BY ts DESC, seq DESC))[1] AS server_ip,"
	"      (array_agg(server_port ORDER BY ts DESC, seq DESC))[1] AS server_port,"
	"      (array_agg(category ORDER BY ts DESC, seq DESC))[1] AS category,"
	"      (array_agg(ref ORDER BY ts DESC, seq DESC))[1] AS ref,"
	"      min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS n,"
	"      bool_or(host_trunc) AS host_trunc, bool_or(path_trunc) AS path_trunc,"
	"      bool_or(retro) AS retro"
	"      FROM fresh GROUP BY set_id, algo, digest, host, path),"
	"  up AS (INSERT INTO candidates AS c (set_id, algo, digest, host, path, set_version,"
	"      server_ip, server_port, category, ref, first_seen, last_seen, occurrences,"
	"      host_truncated, path_truncated, retroactive)"
	"      SELECT set_id, algo, digest, host, path, set_version, server_ip, server_port,"
	"      category, ref, first_seen, last_seen, n, host_trunc, path_trunc, retro FROM agg"
	"      ORDER BY set_id, algo, digest, md5(host), md5(path)"
	"      ON CONFLICT (set_id, algo, digest, md5(host), md5(path)) DO UPDATE SET"
	"      set_version = excluded.set_version, server_ip = excluded.server_ip,"
	"      server_port = excluded.server_port, category = excluded.category,"
	"      ref = excluded.ref, first_seen = least(c.first_seen, excluded.first_seen),"
	"      last_seen = greatest(c.last_seen, excluded.last_seen),"
	"      occurrences = c.occurrences + excluded.occurrences,"
	"      host_truncated = c.host_truncated OR excluded.host_truncated,"
	"      path_truncated = c.path_truncated OR excluded.path_truncated,"
	"      status = CASE WHEN c.status = 'taken_down' THEN 'confirmed' ELSE c.status END,"
	"      reopened = c.reopened + CASE WHEN c.status = 'taken_down' THEN 1 ELSE 0 END"
	"      RETURNING c.id, c.set_id, c.algo, c.digest, c.host, c.path, c.last_seen),"
	"  rv AS (INSERT INTO reviews (candidate_id, at, actor, from_status, to_status, note)"
	"      SELECT id, last_seen, 'controld', 'taken_down', 'confirmed',"
	"      'served again after takedown' FROM up WHERE id = ANY (v_reopen)),"
	"  occ AS (INSERT INTO occurrences (candidate_id, appliance, seen, client, method,"
	"      server_ip, server_port, http_status, size, complete, partial, dataplane, epoch,"
	"      seq, normalised) SELECT up.id, p_app, f.ts, f.client, f.method, f.server_ip,"
	"      f.server_port, f.http_status, f.size, f.complete, f.partial, f.dp, f.epoch,"
	"      f.seq, f.normalised FROM fresh f JOIN up ON up.set_id = f.set_id"
	"      AND up.algo = f.algo AND up.digest = f.digest AND up.host = f.host"
	"      AND up.path = f.path RETURNING 1)"
	"  SELECT count(*) INTO r_new FROM occ;"
	"  INSERT INTO ingest_peers (appliance, dataplane, epoch, last_seq, updated)"
	"    SELECT p_app, x.dp, x.epoch, max(x.seq), max(x.ts) FROM jsonb_to_recordset(p_rows)"
	"    AS x(dp text, epoch text, seq bigint, ts bigint) GROUP BY x.dp, x.epoch"
	"    ON CONFLICT (appliance, dataplane, epoch) DO UPDATE SET"
	"    last_seq = greatest(ingest_peers.last_seq, excluded.last_seq),"
	"    updated = excluded.updated;"
	"END $$;"
	"REVOKE ALL ON FUNCTION hwall_record_batch(text, jsonb) FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION hwall_record_batch(text, jsonb) TO hwall_edge;";

/* Version 7: perceptual (pdq) matches, as SQLite's version 10: the
 * candidate's nearest entry, distance, quality and variant (distance -1:
 * an exact match), each occurrence's distance and quality.  Written by
 * ctl_pg_record() after hwall_record(), for pdq matches only (the fleet
 * uplink's hwall_record_batch() does not carry them yet). */
static const char migration_7[] =
	"ALTER TABLE candidates ADD COLUMN near_entry text NOT NULL DEFAULT '',"
	"  ADD COLUMN near_distance integer NOT NULL DEFAULT -1,"
	"  ADD COLUMN near_quality integer NOT NULL DEFAULT -1,"
	"  ADD COLUMN near_variant text NOT NULL DEFAULT '';"
	"ALTER TABLE occurrences ADD COLUMN distance integer NOT NULL DEFAULT -1,"
	"  ADD COLUMN quality integer NOT NULL DEFAULT -1;";

static const char *const migrations[] = {
	migration_1, migration_2, migration_3, migration_4, migration_5, migration_6, migration_7,
};

int ctl_pg_migrate_latest(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

/* The version inside the open transaction (creating the table at 0). */
static int version_locked(struct ctl_pg *p, int64_t *ret)
{
	int r = ctl_pg_cmd(p, "SELECT pg_advisory_xact_lock(" CTL_PG_MIGRATE_LOCK ")", NULL,
			   NULL);

	if (r == 0)
		r = ctl_pg_cmd(p, "CREATE TABLE IF NOT EXISTS hwall_schema (version integer NOT NULL)",
			       NULL, NULL);
	if (r == 0)
		r = ctl_pg_cmd(p, "INSERT INTO hwall_schema SELECT 0 WHERE NOT EXISTS"
				  " (SELECT 1 FROM hwall_schema)", NULL, NULL);
	if (r == 0)
		r = ctl_pg_int(p, "SELECT max(version) FROM hwall_schema", NULL, ret);
	return r;
}

/* Apply the step after the current version, if that is below @target;
 * *ret_done says whether there is nothing left to do. */
static int migrate_step(struct ctl_pg *p, int target, bool *ret_done)
{
	struct ctl_pg_args a = { 0 };
	PGresult *res;
	int64_t v = 0;
	int r = ctl_pg_tx_begin(p);

	if (r == 0)
		r = version_locked(p, &v);
	if (r == 0 && v > target)
		r = -ENOTSUP;
	if (r == 0 && v < target) {
		res = PQexec(p->conn, migrations[v]);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			snprintf(p->errmsg, sizeof(p->errmsg), "migration %d: %s", (int)v + 1,
				 PQresultErrorMessage(res));
			r = -EIO;
		}
		PQclear(res);
		ctl_pg_arg_i64(&a, v + 1);
		if (r == 0)
			r = ctl_pg_cmd(p, "UPDATE hwall_schema SET version = $1", &a, NULL);
	}
	if (r < 0) {
		ctl_pg_tx_rollback(p);
		return r;
	}
	*ret_done = v + 1 >= target;
	return ctl_pg_tx_commit(p);
}

int ctl_pg_migrate(struct ctl_pg *p, int target)
{
	bool done = false;
	int r = 0;

	if (target < 1 || target > ctl_pg_migrate_latest())
		return -EINVAL;
	while (r == 0 && !done)
		r = migrate_step(p, target, &done);
	return r;
}

int ctl_pg_schema_version(struct ctl_store *s)
{
	struct ctl_pg *p = ctl_pg_of(s);
	int64_t v = 0;
	int r = ctl_pg_int(p, "SELECT max(version) FROM hwall_schema", NULL, &v);

	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : (int)v;
}
