// Package redisstore keeps minimcp's shared state in Redis, so that several replicas of a
// server behind a balancer without affinity serve the same sessions: the session store
// ([server.SessionStore]), the event store of resumable SSE streams ([server.EventStore]),
// the bus carrying list and resource changes to every replica ([mcp.Bus]), the task
// store of the tasks extension ([mcp.TaskStore]) and the relay between replicas
// ([server.Relay], with [server.EventFollower] on the event store).
//
//	st, err := redisstore.Open("redis://localhost:6379/0", nil)
//	if err != nil { ... }
//	defer st.Close()
//	srv := mcp.NewServer(impl, &mcp.ServerOptions{Bus: st.Bus(), TaskStore: st.Tasks()})
//	h := server.New(srv, &server.Options{Sessions: st.Sessions(), Events: st.Events(), Relay: st.Relay()})
//
// It is a module of its own, so that the core packages keep their three dependencies; the
// minimcp binary links it (minimcp serve --redis URL).
//
// # Connection
//
// [Open] takes a URL: redis://user:password@host:port/db, or rediss:// for TLS (Redis AUTH
// and TLS come from the URL, through [redis.ParseURL]). Every call has a deadline
// ([Options.Timeout]), the connection pool is bounded ([Options.PoolSize]) and a call that
// finds Redis down fails at once with an error wrapping [ErrUnavailable]; the server answers
// such requests 503, and [Store.Ping] is what /readyz asks. Nothing needs restarting when
// Redis comes back: the next call dials again.
//
// # Keys
//
// Every key starts with [Options.Prefix] ("minimcp:" by default), so several deployments
// may share one Redis:
//
//	PREFIXs:ID            hash: the session record (r), last activity (a), hard deadline (d), principal set (p)
//	PREFIXsessions        sorted set of every session id, scored by expiry (only with MaxSessions)
//	PREFIXsp:PRINCIPAL    sorted set of one principal's session ids (only with MaxSessionsPerPrincipal)
//	PREFIXe:ID:STREAM     stream: the events of one SSE stream of the session
//	PREFIXem:ID           hash: the session's event counter (n) and bytes held (b)
//	PREFIXei:ID           list: the session's events in append order, for the byte bound
//	PREFIXes:ID           set: the session's stream keys, for expiry and deletion
//	PREFIXbus             pub/sub channel of the bus
//	PREFIXrelay           pub/sub channel of relay messages for every replica
//	PREFIXrelay:REPLICA   pub/sub channel of relay messages for one replica
//	PREFIXt:ID            string: a task record (JSON), expiring at its TTL
//	PREFIXtasks           sorted set of every task id, scored by expiry (only with MaxTasks)
//	PREFIXtp:PRINCIPAL    sorted set of one principal's task ids (only with MaxTasksPerPrincipal)
//
// Scripts touch keys they derive from others (a session's streams), so the store wants one
// Redis (with replicas or Sentinel if you like), not Redis Cluster.
//
// # Cost
//
// A request in an existing session costs one round trip (HGET of the record, as the server
// confirms the session: see the design note on shared stores in package server); each SSE
// event stored costs one (a script); activity reaches Redis once a sweep interval per
// session, not per request. Each relay subscription and each followed stream holds a
// connection of its own (MaxFollowers bounds the latter).
package redisstore
