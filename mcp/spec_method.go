package mcp

// Request methods of every supported revision. Each constant says which side sends the request and the
// revision that introduced it, if later than 2024-11-05 (schema/2025-11-25/schema.ts: ClientRequest,
// ServerRequest).
const (
	// MethodInitialize opens a session (client → server; schema: InitializeRequest).
	MethodInitialize = "initialize"
	// MethodPing checks that the peer is alive (either side; schema: PingRequest).
	MethodPing = "ping"
	// MethodServerDiscover asks what the server supports: versions, capabilities, identity
	// (client → server, protocol 2026-07-28 and later; schema: DiscoverRequest).
	MethodServerDiscover = "server/discover"

	// MethodToolsList lists the server's tools (client → server; schema: ListToolsRequest).
	MethodToolsList = "tools/list"
	// MethodToolsCall calls a tool (client → server; schema: CallToolRequest).
	MethodToolsCall = "tools/call"

	// MethodResourcesList lists the server's resources (client → server; schema: ListResourcesRequest).
	MethodResourcesList = "resources/list"
	// MethodResourcesTemplatesList lists the server's resource templates (client → server;
	// schema: ListResourceTemplatesRequest).
	MethodResourcesTemplatesList = "resources/templates/list"
	// MethodResourcesRead reads a resource (client → server; schema: ReadResourceRequest).
	MethodResourcesRead = "resources/read"
	// MethodResourcesSubscribe asks for notifications/resources/updated about a resource (client → server;
	// schema: SubscribeRequest).
	MethodResourcesSubscribe = "resources/subscribe"
	// MethodResourcesUnsubscribe cancels a subscription (client → server; schema: UnsubscribeRequest).
	MethodResourcesUnsubscribe = "resources/unsubscribe"

	// MethodPromptsList lists the server's prompts (client → server; schema: ListPromptsRequest).
	MethodPromptsList = "prompts/list"
	// MethodPromptsGet renders a prompt (client → server; schema: GetPromptRequest).
	MethodPromptsGet = "prompts/get"

	// MethodCompletionComplete asks for argument completions (client → server; schema: CompleteRequest).
	MethodCompletionComplete = "completion/complete"
	// MethodLoggingSetLevel sets the least severe level of notifications/message the client wants
	// (client → server; schema: SetLevelRequest).
	MethodLoggingSetLevel = "logging/setLevel"

	// MethodSamplingCreateMessage asks the client to sample its LLM (server → client;
	// schema: CreateMessageRequest).
	MethodSamplingCreateMessage = "sampling/createMessage"
	// MethodRootsList asks the client for its roots (server → client; schema: ListRootsRequest).
	MethodRootsList = "roots/list"
	// MethodElicitationCreate asks the client to ask its user (server → client; schema: ElicitRequest).
	// Since 2025-06-18.
	MethodElicitationCreate = "elicitation/create"

	// MethodTasksGet polls a task (either side; schema: GetTaskRequest). Since 2025-11-25, experimental;
	// this package has no types for tasks.
	MethodTasksGet = "tasks/get"
	// MethodTasksResult fetches a finished task's result (either side; schema: GetTaskPayloadRequest).
	// Since 2025-11-25, experimental.
	MethodTasksResult = "tasks/result"
	// MethodTasksList lists tasks (either side; schema: ListTasksRequest). Since 2025-11-25, experimental.
	MethodTasksList = "tasks/list"
	// MethodTasksCancel cancels a task (either side; schema: CancelTaskRequest). Since 2025-11-25,
	// experimental.
	MethodTasksCancel = "tasks/cancel"
)

// Notification methods of every supported revision (schema/2025-11-25/schema.ts: ClientNotification,
// ServerNotification).
const (
	// NotificationInitialized ends initialization (client → server; schema: InitializedNotification).
	NotificationInitialized = "notifications/initialized"
	// NotificationCancelled cancels a request in flight (either side; schema: CancelledNotification).
	NotificationCancelled = "notifications/cancelled"
	// NotificationProgress reports progress on a request (either side; schema: ProgressNotification).
	NotificationProgress = "notifications/progress"
	// NotificationLoggingMessage carries a log message (server → client;
	// schema: LoggingMessageNotification).
	NotificationLoggingMessage = "notifications/message"
	// NotificationResourceUpdated says a subscribed resource changed (server → client;
	// schema: ResourceUpdatedNotification).
	NotificationResourceUpdated = "notifications/resources/updated"
	// NotificationResourceListChanged says the resource list changed (server → client;
	// schema: ResourceListChangedNotification).
	NotificationResourceListChanged = "notifications/resources/list_changed"
	// NotificationToolListChanged says the tool list changed (server → client;
	// schema: ToolListChangedNotification).
	NotificationToolListChanged = "notifications/tools/list_changed"
	// NotificationPromptListChanged says the prompt list changed (server → client;
	// schema: PromptListChangedNotification).
	NotificationPromptListChanged = "notifications/prompts/list_changed"
	// NotificationRootsListChanged says the client's roots changed (client → server;
	// schema: RootsListChangedNotification).
	NotificationRootsListChanged = "notifications/roots/list_changed"
	// NotificationElicitationComplete says an out-of-band (URL) elicitation finished (server → client;
	// schema: ElicitationCompleteNotification). Since 2025-11-25.
	NotificationElicitationComplete = "notifications/elicitation/complete"
	// NotificationTaskStatus reports a task's new status (either side; schema: TaskStatusNotification).
	// Since 2025-11-25, experimental.
	NotificationTaskStatus = "notifications/tasks/status"
)
