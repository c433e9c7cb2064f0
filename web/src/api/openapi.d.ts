// Generated from openapi.json by web/scripts/openapi-export.ts (npm run web:api-types). Do not edit.

export interface paths {
    "/api/v1/alarms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active alarms: lag, no progress, repeated errors, warnings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alarms/{id}/clear": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Clear an active alarm */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The alarm id, `<rule>:<pipeline>` (e.g. lag:orders-eu-us). */
                    id: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log: API writes and failed sign-ins, newest first (ordered by ZooKeeper's sequence) */
        get: {
            parameters: {
                query?: {
                    /** @description Only entries with a smaller id: the `next` of the previous page. */
                    before?: string;
                    /** @description Only requests made with the token of this name. */
                    by?: string;
                    /** @description At most this many entries, 1 to 1000. Default 100. */
                    limit?: string;
                    /** @description Only requests of this method (GET appears only for failed sign-ins). */
                    method?: "POST" | "PUT" | "PATCH" | "DELETE" | "GET" | "HEAD" | "OPTIONS";
                    /** @description Only requests whose path starts with this, e.g. /api/v1/channels/shop. */
                    path?: string;
                    /** @description Only requests received at or after this ISO 8601 time. */
                    since?: string;
                    /** @description Only answers with this status (409) or class (4xx). */
                    status?: string;
                    /** @description Only requests received before this ISO 8601 time. */
                    until?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List channels with status and pipeline progress */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Create a channel (status STOP) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ChannelSpec"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a channel: spec, status, and per pipeline its node, epoch, position, lag */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /** Replace a channel that is PAUSE or STOP (If-Match: version) */
        put: {
            parameters: {
                query?: {
                    /** @description Only apply when the stored version is this one (409 otherwise). Same as the If-Match header. */
                    version?: string;
                };
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ChannelSpec"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        /** Delete a STOPped channel with its permit, assignments and stats (If-Match: version) */
        delete: {
            parameters: {
                query?: {
                    /** @description Only apply when the stored version is this one (409 otherwise). Same as the If-Match header. */
                    version?: string;
                };
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/conflicts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The channel's conflicts, both pipelines, newest first: table, key, kind, both versions, the decision, when */
        get: {
            parameters: {
                query?: {
                    /** @description At most this many conflicts, 1 to 40. Default 20. */
                    limit?: string;
                };
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A channel's conflicts, as its pipelines' load nodes last reported them (each keeps its newest 20; the target's <systemSchema>.conflicts holds them all). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ChannelConflicts"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Configuration history of a channel, newest first: who changed what, when (also after it was deleted) */
        get: {
            parameters: {
                query?: {
                    /** @description Only versions below this one: the last version of a page, for the next page. */
                    before?: string;
                    /** @description At most this many entries, 1 to 1000, newest first. Default 100. */
                    limit?: string;
                };
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Newest first. */
                            entries: {
                                /** @description When (ISO 8601, the writing manager's clock). */
                                at: string;
                                /** @description Who changed it: 'api:<token name>'. */
                                by: string;
                                change: "create" | "update" | "delete";
                                /** @description What changed from the previous version; secrets masked. */
                                diff: {
                                    /** @description The old value (remove, replace); never given for a secret. */
                                    from?: unknown;
                                    op: "add" | "remove" | "replace";
                                    /** @description JSON pointer into the spec, such as '/pipelines/0/parallel'. */
                                    path: string;
                                    /**
                                     * @description A secret (a password) changed: its values are never shown.
                                     * @enum {boolean}
                                     */
                                    secret?: true;
                                    /** @description The new value (add, replace); never given for a secret. */
                                    to?: unknown;
                                }[];
                                /** @description Why, as the reverter said. */
                                reason?: string;
                                /** @description The version this change restored, when it was a revert. */
                                revertOf?: number;
                                /** @description The configuration epoch this change produced: unique, and increasing for one entity. */
                                version: number;
                            }[];
                            name: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set the channel's permit to PAUSE */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/restart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** RESTART: a ROLLBACK, then the pipelines are placed again under new epochs and the permit is START */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/revert": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restore a version of a channel's spec (as a PUT would: refused while START); a deleted channel is created again */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why, kept with the new version. */
                        reason?: string;
                        /** @description The version to restore (from GET .../history). */
                        version: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** ROLLBACK: permit PAUSE, every node drops in-flight batches and clears the channel; stays PAUSE */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set the channel's permit to START */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/stats/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each pipeline's lag and rows/s, one sample per 5 s over the last 30 minutes, as columns */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set the channel's permit to STOP */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The channel's verify jobs, newest first (the last 20 are kept) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            channel: string;
                            /** @description Newest first. */
                            jobs: components["schemas"]["VerifyJob"][];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Start a verify job of every pipeline of the channel (202 with the job; it runs on the pipelines' nodes) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            /** @description Optional; the body may be left out. */
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why; recorded in the permit and the event. Default: "requested through the API". */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description A verify job of a channel: every pipeline's tables compared between source and target. */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VerifyJob"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/verify/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One verify job: its state and, per pipeline and table, rows compared, missing, extra, different */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The job, as POST answered it (job-0000000012). */
                    jobId: string;
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A verify job of a channel: every pipeline's tables compared between source and target. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VerifyJob"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{name}/warning": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** WARNING: an alarm and an event, nothing else changes */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The channel. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Only this pipeline of the channel. Default: every pipeline of the channel. */
                        pipeline?: string;
                        /** @description What is wrong; the alarm message and the event reason. */
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cluster": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Leader, live managers and nodes, configuration epoch */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List data sources, each with the health of its members */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Create a data source */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["DataSourceSpec"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasources/{groupKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a data source with the health of its members (never its password) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /** Replace a data source (password and active kept when left out; If-Match: version) */
        put: {
            parameters: {
                query?: {
                    /** @description Only apply when the stored version is this one (409 otherwise). Same as the If-Match header. */
                    version?: string;
                };
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["DataSourceReplacement"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        /** Delete a data source no pipeline uses (If-Match: version) */
        delete: {
            parameters: {
                query?: {
                    /** @description Only apply when the stored version is this one (409 otherwise). Same as the If-Match header. */
                    version?: string;
                };
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasources/{groupKey}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Configuration history of a data source, newest first (a password change shows as changed, never its value) */
        get: {
            parameters: {
                query?: {
                    /** @description Only versions below this one: the last version of a page, for the next page. */
                    before?: string;
                    /** @description At most this many entries, 1 to 1000, newest first. Default 100. */
                    limit?: string;
                };
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Newest first. */
                            entries: {
                                /** @description When (ISO 8601, the writing manager's clock). */
                                at: string;
                                /** @description Who changed it: 'api:<token name>'. */
                                by: string;
                                change: "create" | "update" | "delete";
                                /** @description What changed from the previous version; secrets masked. */
                                diff: {
                                    /** @description The old value (remove, replace); never given for a secret. */
                                    from?: unknown;
                                    op: "add" | "remove" | "replace";
                                    /** @description JSON pointer into the spec, such as '/pipelines/0/parallel'. */
                                    path: string;
                                    /**
                                     * @description A secret (a password) changed: its values are never shown.
                                     * @enum {boolean}
                                     */
                                    secret?: true;
                                    /** @description The new value (add, replace); never given for a secret. */
                                    to?: unknown;
                                }[];
                                /** @description Why, as the reverter said. */
                                reason?: string;
                                /** @description The version this change restored, when it was a revert. */
                                revertOf?: number;
                                /** @description The configuration epoch this change produced: unique, and increasing for one entity. */
                                version: number;
                            }[];
                            name: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasources/{groupKey}/revert": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restore a version of a data source, keeping the active member (a switch is not reverted); a deleted one is created again */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Keep the current password instead of the version's (needed when the version's is sealed under a key the managers no longer hold). Default false.
                         * @default false
                         */
                        keepPassword?: boolean;
                        /** @description Why, kept with the new version. */
                        reason?: string;
                        /** @description The version to restore (from GET .../history). */
                        version: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasources/{groupKey}/switch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Switch the active server between master and standby: refused when the member is not ready, unless force */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["DataSourceSwitch"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/datasources/{groupKey}/switch-readiness": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the member would be accepted by a switch without force, and why not (from the latest health) */
        get: {
            parameters: {
                query?: {
                    /** @description The member a switch would make active. Default: the one not active now. */
                    to?: "master" | "standby";
                };
                header?: never;
                path: {
                    /** @description The data source. */
                    groupKey: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events, newest first: arbiter actions, channel commands, node liveness, alarms */
        get: {
            parameters: {
                query?: {
                    /** @description Only events of this channel. */
                    channel?: string;
                    /** @description At most this many events, 1 to 1000. Default 100. */
                    limit?: string;
                    /** @description Only events with a greater id (poll for what is new). */
                    since?: string;
                    /** @description Only events of this type: WARNING, ROLLBACK, RESTART, START, PAUSE, STOP, NODE_DOWN, NODE_UP, ALARM_RAISED, ALARM_CLEARED, ... */
                    type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness of this manager (no token needed) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/internal/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A node reports the progress of the pipelines it runs */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["StatsReport"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document (no token needed) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List tokens (names, roles and node ids, never the tokens) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Create a token; the response holds it, the only time it is shown */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TokenCreate"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a token */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The token name. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{name}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** History of a token name: created and deleted, with role and node (never the token) */
        get: {
            parameters: {
                query?: {
                    /** @description Only versions below this one: the last version of a page, for the next page. */
                    before?: string;
                    /** @description At most this many entries, 1 to 1000, newest first. Default 100. */
                    limit?: string;
                };
                header?: never;
                path: {
                    /** @description The token name. */
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Newest first. */
                            entries: {
                                /** @description When (ISO 8601, the writing manager's clock). */
                                at: string;
                                /** @description Who changed it: 'api:<token name>'. */
                                by: string;
                                change: "create" | "update" | "delete";
                                /** @description What changed from the previous version; secrets masked. */
                                diff: {
                                    /** @description The old value (remove, replace); never given for a secret. */
                                    from?: unknown;
                                    op: "add" | "remove" | "replace";
                                    /** @description JSON pointer into the spec, such as '/pipelines/0/parallel'. */
                                    path: string;
                                    /**
                                     * @description A secret (a password) changed: its values are never shown.
                                     * @enum {boolean}
                                     */
                                    secret?: true;
                                    /** @description The new value (add, replace); never given for a secret. */
                                    to?: unknown;
                                }[];
                                /** @description Why, as the reverter said. */
                                reason?: string;
                                /** @description The version this change restored, when it was a revert. */
                                revertOf?: number;
                                /** @description The configuration epoch this change produced: unique, and increasing for one entity. */
                                version: number;
                            }[];
                            name: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling token: its name, role and what that role may do */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The caller's token. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description What this role may do (read, channel.run, alarm.clear, datasource.switch, config.write, tokens, stats.report). */
                            actions: string[];
                            /** @description The token's name (`admin` for the bootstrap token). */
                            name: string;
                            /** @description admin: everything. operator: reads, runs channels and switches data sources. viewer: reads. node: a node process reporting statistics. */
                            role: "admin" | "operator" | "viewer" | "node";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A channel's conflicts, as its pipelines' load nodes last reported them (each keeps its newest 20; the target's <systemSchema>.conflicts holds them all). */
        ChannelConflicts: {
            channel: string;
            /** @description Both pipelines' newest conflicts, newest first. */
            conflicts: {
                /** @description When it was found (target clock, ISO 8601). */
                at: string;
                /** @description The target's row; null when it held none. */
                current: {
                    [key: string]: string | number | null | {
                        hex: string;
                    };
                } | null;
                /** @description applied: the source's version was written; skipped: the target's kept; stopped: the pipeline stopped (FERRY_ERR_CONFLICT). */
                decision: "applied" | "skipped" | "stopped";
                /** @description The source's version; null for a delete. */
                incoming: {
                    [key: string]: string | number | null | {
                        hex: string;
                    };
                } | null;
                /** @description The row's key columns and values. */
                key: {
                    [key: string]: string | number | null | {
                        hex: string;
                    };
                };
                /** @description mismatch: the target's row is not the change's before image; missing: the target has no such row; exists: an insert met a different row under its key; unique-key: under another unique key. */
                kind: "mismatch" | "missing" | "exists" | "unique-key";
                /** @description The pipeline that found it (its target holds the row). */
                pipeline: string;
                /** @description The policy that settled it (source-wins: a one-way pipeline with detectConflicts). */
                policy: "primary-wins" | "newer-wins" | "stop" | "source-wins";
                /** @description Source position of the batch. */
                position: string;
                /** @description Target table, 'schema.table'. */
                table: string;
            }[];
            pipelines: {
                pipeline: string;
                /** @description When its node reported them (node clock). */
                reportedAt: string | null;
                /** @description null: no node has reported conflicts for it (detection off, or not started yet). */
                total: number | null;
            }[];
            /** @description Conflicts recorded by all its pipelines. */
            total: number;
        };
        /** @description One or two pipelines that start, pause and stop together. */
        ChannelSpec: {
            /** @description The channel's two pipelines are each other's mirror (source and target swapped, the same tables): changes flow both ways without bouncing, and conflicts are settled by policy. Default: none (each pipeline one-way). */
            bidirectional?: {
                /** @description How a conflict is settled, the same way on both sides: 'primary-wins', 'newer-wins' (by timestampColumn; ties and deletes to the primary) or 'stop'. Default 'primary-wins'. */
                conflicts?: "primary-wins" | "newer-wins" | "stop";
                /** @description groupKey of the primary data source: one of the two pipelines' sources. Its version wins under primary-wins and on newer-wins ties; only its DDL is replicated. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
                primary: string;
                /** @description Column newer-wins compares (target name; every replicated table needs it). Required with newer-wins only. */
                timestampColumn?: string;
            };
            /** @description Free text for operators. Default ''. */
            description?: string;
            /** @description Channel name. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
            name: string;
            /** @description One pipeline (one-way) or two (bidirectional). */
            pipelines: {
                /** @description How source transactions are grouped into target transactions. */
                batch?: {
                    /** @description A target transaction also closes once its source row events reach this many bytes (binlog size), so wide rows keep batches small in memory. Default 1048576 (1 MiB). */
                    maxBytes?: number;
                    /** @description A batch closes at most this long after its first change arrived, trading latency for throughput: while batches are in flight, later transactions are grouped behind them up to this long. A batch with nothing queued behind it closes at once when the target is idle (no batch unacknowledged), or when the last batch in flight is acknowledged (one-process pipelines; a split pipeline waits out this delay then). Default 20. */
                    maxDelayMs?: number;
                    /** @description A target transaction closes once it holds this many row changes (a source transaction is never split, so one large transaction may exceed it). Default 1000. */
                    maxRows?: number;
                };
                /** @description How Load writes rows: 'auto' hands the target the source's own row events (a BINLOG statement, in the batch's transaction with the checkpoint) wherever that gives the same rows, and SQL elsewhere (docs/replay.md); 'off' always writes SQL; 'require' is 'auto' but stops with FERRY_ERR_REPLAY_REFUSED when the target refuses the BINLOG statement (privilege BINLOG REPLAY, another server flavour). Default 'auto'. */
                binlogReplay?: "auto" | "off" | "require";
                /** @description DDL on a replicated table: 'stop' halts with FERRY_ERR_DDL_NOT_ALLOWED for a person to act, 'apply' runs it on the target (names mapped), 'ignore' skips it. Default 'stop'. */
                ddl?: "stop" | "apply" | "ignore";
                /** @description Free text for operators. Default ''. */
                description?: string;
                /** @description One-way: compare each change's before image with the target's row while applying, record a target changed behind Ferry's back in <systemSchema>.conflicts, and write the source's version anyway. Always on for a bidirectional pipeline. Default false. */
                detectConflicts?: boolean;
                /** @description A row the target refuses (FERRY_ERR_APPLY_FAILED): 'stop' halts the pipeline, 'skip' records it and goes on. Transient errors are retried either way. Default 'stop'. */
                errorPolicy?: "stop" | "skip";
                /** @description Where a new pipeline starts reading the source binlog: a GTID set, MariaDB '0-1-100,1-1-5' or MySQL '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10' (optionally prefixed 'gtid:'), or 'file:position' such as 'mysql-bin.000003:4', or 'end' for the source's binlog end (the default for a new pipeline; given explicitly, it also lets a pipeline whose checkpoint vanished from the target start there, FERRY_ERR_CHECKPOINT_MISSING). Used only while the target holds no checkpoint of this pipeline; once one exists, the pipeline always resumes from it (and logs that `from` is ignored). Default: the source's current position. */
                from?: string;
                /** @description A new pipeline first copies the rows its tables already hold on the source, online (primary-key chunks, no table lock, no long transaction), then streams the binlog from the point the copy was pinned to, so the target ends exact however the source was written meanwhile. A copy cut short resumes after its last committed chunk. Only a pipeline without a checkpoint copies. Not with from. MariaDB sources. Default false. */
                initialCopy?: boolean;
                /** @description How Ferry notices a network path that died without closing its connections. */
                liveness?: {
                    /** @description The source is asked to send a heartbeat whenever its binlog dump has had nothing to send for this long (MASTER_HEARTBEAT_PERIOD). Default 1000. */
                    heartbeatMs?: number;
                    /** @description Nothing at all from the source (no event, no heartbeat) for this long means the connection is dead though never closed (a firewall, a dead switch): Ferry drops it and reconnects from the checkpoint. Not counted while reading is paused for back-pressure. At least twice heartbeatMs. Default 5000. */
                    sourceSilenceMs?: number;
                    /** @description A statement of a batch (COMMIT included) without an answer from the target for this long: the connection is closed and the batch retried from the checkpoint. Also bounds the start of each attempt (prechecks, the claim, reading the checkpoint) on source and target. Keep it well above the longest lock wait a batch may meet; DDL applied under ddl: apply has no such limit. Default 120000. */
                    targetStatementMs?: number;
                };
                /** @description Pipeline name, unique in the cluster; keys the checkpoint in the target, so keep it once replication started. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
                name: string;
                /** @description The source no longer holds the binlog at the pipeline's checkpoint: 'stop' halts with FERRY_ERR_BINLOG_PURGED for a person to act; 'resync' copies every table again online (as initialCopy does), deletes target rows the source no longer has, and streams on. Default 'stop'. */
                onPurgedBinlog?: "stop" | "resync";
                /** @description Connections to the target that apply batches in parallel where row keys do not overlap. 1 applies strictly in source order. Default 4. */
                parallel?: number;
                /** @description The node-to-node pipe of a split pipeline (Select and Extract in the source's datacenter, Transform and Load in the target's). */
                pipe?: {
                    /** @description Compression of the changes the select side sends the load side across datacenters: 'none', 'deflate-1'..'deflate-9', 'gzip-1'..'gzip-9' or 'brotli-0'..'brotli-11' (algorithm and level; higher levels spend more CPU for fewer bytes). The load side reads any of them. Default 'brotli-1' (docs/benchmarks.md, Pipe compression). */
                    compression?: string;
                };
                /**
                 * @description Where the stages may run.
                 * @default {}
                 */
                placement: {
                    /** @description Only nodes in these datacenters. Default: any datacenter. */
                    dcs?: string[];
                    /** @description Only these nodes. Default: any node. */
                    nodes?: string[];
                    /** @description auto: when the source's and the target's data sources are in different datacenters, run Select/Extract on a node of the source's and Transform/Load on a pipe-capable node of the target's, joined by the node-to-node pipe (whole on one node when either has no such node). never: always one node. Default 'auto'. */
                    split?: "auto" | "never";
                };
                /** @description Bound on buffered changes. */
                queue?: {
                    /** @description Binlog bytes of the row events held between reading and applying; reading also pauses beyond this. At least batch.maxBytes. Default 8388608 (8 MiB). */
                    maxBytes?: number;
                    /** @description Row changes held in memory between reading and applying; reading pauses when full (back-pressure). At least batch.maxRows. Default 20000. */
                    maxRows?: number;
                };
                /** @description Back-off for transient source and target errors. */
                retry?: {
                    /** @description First wait before retrying a transient error (lost connection, deadlock); doubles on each failure. Default 1000. */
                    initialDelayMs?: number;
                    /** @description Longest wait between retries; retries go on until the pipeline is stopped. At least initialDelayMs. Default 60000. */
                    maxDelayMs?: number;
                };
                /** @description server_id Ferry uses as a replica of the source; unique among the source's replicas. Default: a stable hash of the pipeline name into 1000000..4000000000. */
                serverId?: number;
                /** @description Ids of prechecks not to run (each failed check prints its id). Default: [] (run them all). */
                skipPrechecks?: ("tested_flavor" | "binlog_format" | "binlog_row_image" | "binlog_row_metadata" | "binlog_row_value_options" | "server_id" | "privileges" | "primary_keys" | "auto_increment" | "binlog_retention")[];
                /** @description groupKey of the source data source. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
                source: string;
                /** @description Schema on the target for Ferry's checkpoint and loop-prevention tables; never replicated. Default '_ferry'. */
                systemSchema?: string;
                /** @description Which tables to replicate and where to. A table goes by the first rule that matches it; tables no rule matches are not replicated. The system schemas (mysql, information_schema, performance_schema, sys and systemSchema) never are. Names hold letters, digits, '_', '$', '-' and the wildcards * and ?. At most 10000 rules. Required. */
                tables: (string | {
                    /** @description Which columns of the matched tables go to the target, and under which names. Default: all, unrenamed. */
                    columns?: {
                        /** @description Replicate every column but these. Default: none excluded. Give include or exclude, not both. */
                        exclude?: string[];
                        /** @description Replicate only these columns (names compare case-insensitively, as MySQL does). Default: every column. Keep the primary key columns in the list. */
                        include?: string[];
                        /** @description Source column name -> target column name. Default: names are kept. */
                        rename?: {
                            [key: string]: string;
                        };
                    };
                    /** @description Source 'schema.table'; either part may be a pattern where * matches any run of characters and ? one character ('db.*', 'db.order_*', 'shard_?.orders'). Case-sensitive. */
                    source: string;
                    /** @description Target 'schema.table'. * in a part keeps the source name: 'otherdb.*' renames only the schema, '*.orders_copy' only the table. A source whose table part is a pattern needs a target table of *. Default: same schema and table as the source. */
                    target?: string;
                })[];
                /** @description groupKey of the target data source. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
                target: string;
                /** @description A slow background verify of the running pipeline. */
                validation?: {
                    /** @description Continuous validation: every this many seconds the pipeline's tables are verified in the background (chunked checksums on each server, differing rows read again once the pipeline has passed them), and differences raise the alarm verify:<pipeline> (a cluster) or an error line with the counts (bin/ferry run). 0: off. At least 10 when on. Default 0. */
                    intervalSeconds?: number;
                };
            }[];
        };
        /** @description A data source replacing the stored one. */
        DataSourceReplacement: {
            /** @description Which server pipelines use. Default: unchanged. */
            active?: "master" | "standby";
            /** @description Datacenter the database lives in; placement keeps Select near the source and Load near the target. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
            dc: string;
            /** @description If given, must be the groupKey of the URL (a data source cannot be renamed). */
            groupKey?: string;
            /** @description One database server. */
            master: {
                /** @description Host name or IP address (IPv6 without brackets). */
                host: string;
                /**
                 * @description TCP port. Default 3306.
                 * @default 3306
                 */
                port: number;
            };
            /** @description New password. Default: unchanged. */
            password?: string;
            /** @description PEM file of the CA(s) that sign the server's certificate (relative paths: to the pipeline file). Default: none (VERIFY_* then use the system's CAs). */
            sslCa?: string;
            /** @description PEM file of a client certificate, for users created REQUIRE X509; give sslKey with it. Default: none. */
            sslCert?: string;
            /** @description PEM file of the client certificate's private key. Default: none. */
            sslKey?: string;
            /** @description TLS as MySQL's --ssl-mode: DISABLED (none), PREFERRED (TLS when the server offers it, else plain with a warning; can be downgraded by anyone on the path), REQUIRED (TLS, certificate not checked), VERIFY_CA (also the chain, against sslCa), VERIFY_IDENTITY (also the host name). Default DISABLED, or VERIFY_CA when sslCa is given (as in MySQL). */
            sslMode?: "DISABLED" | "PREFERRED" | "REQUIRED" | "VERIFY_CA" | "VERIFY_IDENTITY";
            /** @description One database server. */
            standby?: {
                /** @description Host name or IP address (IPv6 without brackets). */
                host: string;
                /**
                 * @description TCP port. Default 3306.
                 * @default 3306
                 */
                port: number;
            };
            /** @description User Ferry logs in as (replication privileges on a source, write privileges on a target). */
            user: string;
        };
        /** @description A database reached through its groupKey: a master and an optional standby. */
        DataSourceSpec: {
            /**
             * @description Which server pipelines use now. A switch is a DBA action (POST /api/v1/datasources/{groupKey}/switch). Default 'master'.
             * @default master
             */
            active: "master" | "standby";
            /** @description Datacenter the database lives in; placement keeps Select near the source and Load near the target. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
            dc: string;
            /** @description Name pipelines use for this database. Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. */
            groupKey: string;
            /** @description One database server. */
            master: {
                /** @description Host name or IP address (IPv6 without brackets). */
                host: string;
                /**
                 * @description TCP port. Default 3306.
                 * @default 3306
                 */
                port: number;
            };
            /**
             * @description Password of that user. Write-only: never returned by the API and never logged; stored sealed with the managers' key file. Default ''.
             * @default
             */
            password: string;
            /** @description PEM file of the CA(s) that sign the server's certificate (relative paths: to the pipeline file). Default: none (VERIFY_* then use the system's CAs). */
            sslCa?: string;
            /** @description PEM file of a client certificate, for users created REQUIRE X509; give sslKey with it. Default: none. */
            sslCert?: string;
            /** @description PEM file of the client certificate's private key. Default: none. */
            sslKey?: string;
            /** @description TLS as MySQL's --ssl-mode: DISABLED (none), PREFERRED (TLS when the server offers it, else plain with a warning; can be downgraded by anyone on the path), REQUIRED (TLS, certificate not checked), VERIFY_CA (also the chain, against sslCa), VERIFY_IDENTITY (also the host name). Default DISABLED, or VERIFY_CA when sslCa is given (as in MySQL). */
            sslMode?: "DISABLED" | "PREFERRED" | "REQUIRED" | "VERIFY_CA" | "VERIFY_IDENTITY";
            /** @description One database server. */
            standby?: {
                /** @description Host name or IP address (IPv6 without brackets). */
                host: string;
                /**
                 * @description TCP port. Default 3306.
                 * @default 3306
                 */
                port: number;
            };
            /** @description User Ferry logs in as (replication privileges on a source, write privileges on a target). */
            user: string;
        };
        /** @description A master/standby switch. */
        DataSourceSwitch: {
            /** @description Switch even when the member is not ready (unreachable, behind the active member, not measured): for a failover when the active member is lost. Default false. */
            force?: boolean;
            /** @description Why, recorded in the event log with who switched. Default 'switch requested through the API'. */
            reason?: string;
            /** @description The server pipelines use from now on. */
            to: "master" | "standby";
        };
        /** @description Statistics a node pushes for the pipelines it runs. */
        StatsReport: {
            /** @description The reporting node. */
            node: string;
            /** @description At most 1000 records; one per pipeline is kept (the highest epoch). */
            stats: {
                /** @description Node clock, display only. */
                at: string;
                /** @description Conflicts of a pipeline with detection on (bidirectional, detectConflicts), as its load node knows them. */
                conflicts?: {
                    /** @description The newest, newest first. */
                    recent: {
                        /** @description When it was found (target clock, ISO 8601). */
                        at: string;
                        /** @description The target's row; null when it held none. */
                        current: {
                            [key: string]: string | number | null | {
                                hex: string;
                            };
                        } | null;
                        /** @description applied: the source's version was written; skipped: the target's kept; stopped: the pipeline stopped (FERRY_ERR_CONFLICT). */
                        decision: "applied" | "skipped" | "stopped";
                        /** @description The source's version; null for a delete. */
                        incoming: {
                            [key: string]: string | number | null | {
                                hex: string;
                            };
                        } | null;
                        /** @description The row's key columns and values. */
                        key: {
                            [key: string]: string | number | null | {
                                hex: string;
                            };
                        };
                        /** @description mismatch: the target's row is not the change's before image; missing: the target has no such row; exists: an insert met a different row under its key; unique-key: under another unique key. */
                        kind: "mismatch" | "missing" | "exists" | "unique-key";
                        /** @description The pipeline that found it (its target holds the row). */
                        pipeline: string;
                        /** @description The policy that settled it (source-wins: a one-way pipeline with detectConflicts). */
                        policy: "primary-wins" | "newer-wins" | "stop" | "source-wins";
                        /** @description Source position of the batch. */
                        position: string;
                        /** @description Target table, 'schema.table'. */
                        table: string;
                    }[];
                    /** @description Conflicts recorded for the pipeline in the target's conflicts table. */
                    total: number;
                };
                /** @description An online copy under way (initialCopy, resync), measured by the load node. */
                copy?: {
                    /** @description The source's estimate of all rows when the copy began (approximate). */
                    estimatedRows: number;
                    /** @description Seconds left at that rate; null while unknown. */
                    etaSeconds: number | null;
                    /** @description initial: a new pipeline with initialCopy; resync: the binlog at the checkpoint was purged and the tables are copied again. */
                    mode: "initial" | "resync";
                    /** @description rowsCopied of estimatedRows; null without an estimate. */
                    percent: number | null;
                    /** @description copying: key chunks of the tables; replaying: the stream catches up over the copy's window. */
                    phase: "copying" | "replaying";
                    rowsCopied: number;
                    rowsPerSecond: number;
                    /** @description When the copy began, ms since the epoch (node clock, display only). */
                    startedAt: number;
                    /** @description The table being copied ('schema.table'), while copying. */
                    table?: string;
                    tables: number;
                    tablesDone: number;
                };
                /** @description Assignment epoch it runs under. */
                epoch: number;
                error?: {
                    code: string;
                    message: string;
                };
                /** @description Replication lag. */
                lagMs: number | null;
                /** @description Node that runs it. */
                node: string;
                /** @description A split pipeline's node-to-node pipe, measured by its load node while the select side is connected. */
                pipe?: {
                    /** @description Bytes per second the load node receives through the pipe. */
                    bytesPerSecond: number;
                    /** @description Bytes before compression per byte on the wire (1: none). */
                    compressionRatio: number | null;
                    /** @description Batches received and not yet committed. */
                    inFlightBatches: number;
                    /** @description Heartbeat round trip between the two nodes. */
                    rttMs: number | null;
                    /** @description Pipe bytes (frames included) per row change received, this connection. */
                    wireBytesPerRow: number | null;
                };
                /** @description Pipeline name. */
                pipeline: string;
                /** @description Source position of the last committed batch. */
                position: string | null;
                rowsPerSecond: number;
                /** @description Runner state (starting, running, retrying, failed, stopped, ...). */
                state: string;
            }[];
        };
        /** @description A new API token. */
        TokenCreate: {
            /** @description Name of the token, shown in lists and in `by` fields of permits; unique. */
            name: string;
            /** @description Role node only, and required for it: the id (--id) of the one node this token reports for. */
            node?: string;
            /** @description admin: everything. operator: reads, runs channels and switches data sources. viewer: reads. node: a node process reporting statistics. */
            role: "admin" | "operator" | "viewer" | "node";
        };
        /** @description A verify job of a channel: every pipeline's tables compared between source and target. */
        VerifyJob: {
            channel: string;
            /** @description When the job ended. */
            finishedAt?: string;
            /** @description job-<sequence>: later jobs have higher ids. */
            id: string;
            pipelines: {
                error?: {
                    code: string;
                    message: string;
                };
                /** @description The node that runs (or ran) this part: the pipeline's load side or whole pipeline. */
                node?: string;
                pipeline: string;
                /** @description queued: not started; running; done: compared; failed: see error. */
                state: "queued" | "running" | "done" | "failed";
                tables: {
                    /** @description Rows on both whose compared columns differ. */
                    different: number;
                    /** @description Rows the target has and the source does not. */
                    extra: number;
                    /** @description Rows the source has and the target lacks. */
                    missing: number;
                    /** @description Source rows compared. */
                    rows: number;
                    /** @description A few keys of each kind. */
                    samples: {
                        different: (string | number | {
                            hex: string;
                        })[][];
                        extra: (string | number | {
                            hex: string;
                        })[][];
                        missing: (string | number | {
                            hex: string;
                        })[][];
                    };
                    /** @description The source table, schema.table. */
                    table: string;
                    /** @description Where the rules put it on the target. */
                    target: string;
                }[];
            }[];
            reason: string;
            /** @description Manager wall clock, ISO 8601. */
            requestedAt: string;
            /** @description api:<token name>. */
            requestedBy: string;
            /** @description When the first pipeline started (node wall clock). */
            startedAt?: string;
            /** @description queued: no pipeline started; running; done: every pipeline compared; failed: a pipeline could not be compared. */
            state: "queued" | "running" | "done" | "failed";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
