-- The legacy AgentPod SQLite schema at version 18 (the last release before PostgreSQL), exactly as a
-- v18 database holds it: copied from sqlite_master of a fresh v18 file (tests/data/legacy/clean.sqlite),
-- statements and text verbatim, followed by the 17 _migrations rows (applied_at takes its default).
-- legacy/schema.py reads this file; `manage.py export_sqlite` writes it. Do not edit by hand.

CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  description TEXT,
  forgejo_repo_url TEXT NOT NULL,
  forgejo_repo_id INTEGER,
  forgejo_owner TEXT NOT NULL,
  coolify_app_uuid TEXT NOT NULL,
  coolify_server_uuid TEXT NOT NULL,
  container_port INTEGER DEFAULT 4096,
  fqdn_url TEXT,
  vnc_url TEXT,
  code_server_url TEXT,
  container_tier_id TEXT DEFAULT 'lite',
  container_version TEXT DEFAULT '0.0.1',
  container_update_available INTEGER DEFAULT 0,
  github_repo_url TEXT,
  github_sync_enabled INTEGER DEFAULT 0,
  github_sync_direction TEXT DEFAULT 'push',
  last_sync_at TEXT,
  llm_provider TEXT,
  llm_model TEXT,
  status TEXT DEFAULT 'creating',
  error_message TEXT,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
, resource_tier_id TEXT DEFAULT 'starter', flavor_id TEXT DEFAULT 'fullstack', addon_ids TEXT DEFAULT '[]');

CREATE TABLE provider_credentials (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  provider_id TEXT NOT NULL UNIQUE,
  auth_type TEXT NOT NULL CHECK(auth_type IN ('api_key', 'oauth', 'device_flow')),
  api_key_encrypted TEXT,
  access_token_encrypted TEXT,
  refresh_token_encrypted TEXT,
  token_expires_at TEXT,
  oauth_provider TEXT,
  oauth_scopes TEXT,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE oauth_state (
  id TEXT PRIMARY KEY,
  provider_id TEXT NOT NULL,
  device_code TEXT NOT NULL,
  user_code TEXT NOT NULL,
  verification_uri TEXT NOT NULL,
  interval_seconds INTEGER DEFAULT 5,
  expires_at TEXT NOT NULL,
  status TEXT DEFAULT 'pending' CHECK(status IN ('pending', 'completed', 'expired', 'error')),
  error_message TEXT,
  created_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE providers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  api_key TEXT,
  access_token TEXT,
  refresh_token TEXT,
  token_expires_at TEXT,
  is_default INTEGER DEFAULT 0,
  is_configured INTEGER DEFAULT 0,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE user_opencode_config (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  user_id TEXT NOT NULL UNIQUE,
  settings TEXT NOT NULL DEFAULT '{}',
  agents_md TEXT,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE user_opencode_files (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  user_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK(type IN ('agent', 'command', 'tool', 'plugin')),
  name TEXT NOT NULL,
  extension TEXT NOT NULL CHECK(extension IN ('md', 'ts', 'js')),
  content TEXT NOT NULL,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now')),
  UNIQUE(user_id, type, name)
);

CREATE TABLE container_tiers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  image_type TEXT NOT NULL,
  cpu_limit TEXT NOT NULL,
  memory_limit TEXT NOT NULL,
  memory_reservation TEXT,
  storage_gb INTEGER NOT NULL,
  has_desktop_access INTEGER DEFAULT 0,
  is_default INTEGER DEFAULT 0,
  sort_order INTEGER DEFAULT 0,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE _migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE resource_tiers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  cpu_cores INTEGER NOT NULL,
  memory_gb INTEGER NOT NULL,
  storage_gb INTEGER NOT NULL,
  price_monthly REAL NOT NULL DEFAULT 0,
  is_default INTEGER NOT NULL DEFAULT 0,
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE container_flavors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  languages TEXT NOT NULL DEFAULT '[]',
  image_size_mb INTEGER,
  is_default INTEGER NOT NULL DEFAULT 0,
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
, enabled INTEGER NOT NULL DEFAULT 1);

CREATE TABLE container_addons (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  category TEXT NOT NULL,
  image_size_mb INTEGER,
  port INTEGER,
  requires_gpu INTEGER NOT NULL DEFAULT 0,
  requires_flavor TEXT,
  price_monthly REAL NOT NULL DEFAULT 0,
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE user (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  emailVerified INTEGER NOT NULL DEFAULT 0,
  image TEXT,
  createdAt TEXT NOT NULL DEFAULT (datetime('now')),
  updatedAt TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE session (
  id TEXT PRIMARY KEY NOT NULL,
  expiresAt TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  createdAt TEXT NOT NULL DEFAULT (datetime('now')),
  updatedAt TEXT NOT NULL DEFAULT (datetime('now')),
  ipAddress TEXT,
  userAgent TEXT,
  userId TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE
);

CREATE TABLE account (
  id TEXT PRIMARY KEY NOT NULL,
  accountId TEXT NOT NULL,
  providerId TEXT NOT NULL,
  userId TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  accessToken TEXT,
  refreshToken TEXT,
  idToken TEXT,
  accessTokenExpiresAt TEXT,
  refreshTokenExpiresAt TEXT,
  scope TEXT,
  password TEXT,
  createdAt TEXT NOT NULL DEFAULT (datetime('now')),
  updatedAt TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE verification (
  id TEXT PRIMARY KEY NOT NULL,
  identifier TEXT NOT NULL,
  value TEXT NOT NULL,
  expiresAt TEXT NOT NULL,
  createdAt TEXT NOT NULL DEFAULT (datetime('now')),
  updatedAt TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE sandboxes (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  description TEXT,
  repo_name TEXT NOT NULL,
  github_url TEXT,
  resource_tier_id TEXT DEFAULT 'starter',
  flavor_id TEXT DEFAULT 'fullstack',
  addon_ids TEXT DEFAULT '[]',
  container_id TEXT,
  container_name TEXT,
  status TEXT DEFAULT 'created' CHECK(status IN ('created', 'starting', 'running', 'stopping', 'stopped', 'error')),
  error_message TEXT,
  opencode_url TEXT,
  acp_gateway_url TEXT,
  vnc_url TEXT,
  code_server_url TEXT,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now')),
  last_accessed_at TEXT,
  UNIQUE(user_id, slug)
);

CREATE TABLE chat_sessions (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  sandbox_id TEXT NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  source TEXT NOT NULL CHECK(source IN ('opencode', 'acp_gateway')),
  opencode_session_id TEXT,
  acp_session_id TEXT,
  acp_agent_id TEXT,
  title TEXT,
  status TEXT DEFAULT 'active' CHECK(status IN ('active', 'archived', 'deleted')),
  message_count INTEGER DEFAULT 0,
  user_message_count INTEGER DEFAULT 0,
  assistant_message_count INTEGER DEFAULT 0,
  total_input_tokens INTEGER DEFAULT 0,
  total_output_tokens INTEGER DEFAULT 0,
  last_message_at TEXT,
  last_synced_at TEXT,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE chat_messages (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  session_id TEXT NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
  external_message_id TEXT,
  role TEXT NOT NULL CHECK(role IN ('user', 'assistant', 'system')),
  content TEXT NOT NULL,
  tool_calls TEXT,
  tool_results TEXT,
  thinking TEXT,
  model_provider TEXT,
  model_id TEXT,
  agent_id TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  status TEXT DEFAULT 'complete' CHECK(status IN ('streaming', 'complete', 'error', 'cancelled')),
  error_message TEXT,
  created_at TEXT DEFAULT (datetime('now')),
  completed_at TEXT
);

CREATE TABLE user_preferences (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  user_id TEXT NOT NULL UNIQUE REFERENCES user(id) ON DELETE CASCADE,
  theme_mode TEXT DEFAULT 'system' CHECK(theme_mode IN ('light', 'dark', 'system')),
  theme_preset TEXT DEFAULT 'default-neutral',
  auto_refresh_interval INTEGER DEFAULT 30,
  in_app_notifications INTEGER DEFAULT 1,
  system_notifications INTEGER DEFAULT 1,
  default_resource_tier_id TEXT DEFAULT 'starter',
  default_flavor_id TEXT DEFAULT 'fullstack',
  default_addon_ids TEXT DEFAULT '["code-server"]',
  default_agent_id TEXT DEFAULT 'opencode',
  settings_version INTEGER DEFAULT 1,
  created_at TEXT DEFAULT (datetime('now')),
  updated_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE activity_log (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  user_id TEXT REFERENCES user(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  entity_type TEXT,
  entity_id TEXT,
  metadata TEXT,
  ip_address TEXT,
  user_agent TEXT,
  anonymized INTEGER DEFAULT 0,
  created_at TEXT DEFAULT (datetime('now'))
);

CREATE TABLE activity_log_archive (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  entity_type TEXT,
  metadata TEXT,
  original_created_at TEXT NOT NULL,
  archived_at TEXT DEFAULT (datetime('now'))
);

CREATE INDEX idx_projects_slug ON projects(slug);
CREATE INDEX idx_projects_status ON projects(status);
CREATE INDEX idx_projects_created_at ON projects(created_at);
CREATE INDEX idx_providers_is_default ON providers(is_default);
CREATE INDEX idx_provider_credentials_provider_id ON provider_credentials(provider_id);
CREATE INDEX idx_oauth_state_provider_id ON oauth_state(provider_id);
CREATE INDEX idx_oauth_state_status ON oauth_state(status);
CREATE INDEX idx_user_opencode_config_user_id ON user_opencode_config(user_id);
CREATE INDEX idx_user_opencode_files_user_id ON user_opencode_files(user_id);
CREATE INDEX idx_user_opencode_files_type ON user_opencode_files(user_id, type);
CREATE INDEX idx_container_tiers_default ON container_tiers(is_default);
CREATE INDEX idx_resource_tiers_default ON resource_tiers(is_default);
CREATE INDEX idx_container_flavors_default ON container_flavors(is_default);
CREATE INDEX idx_container_addons_category ON container_addons(category);
CREATE INDEX idx_user_email ON user(email);
CREATE INDEX idx_session_userId ON session(userId);
CREATE INDEX idx_session_token ON session(token);
CREATE INDEX idx_account_userId ON account(userId);
CREATE INDEX idx_account_providerId ON account(providerId, accountId);
CREATE INDEX idx_sandboxes_user_id ON sandboxes(user_id);
CREATE INDEX idx_sandboxes_status ON sandboxes(status);
CREATE INDEX idx_sandboxes_container_id ON sandboxes(container_id);
CREATE UNIQUE INDEX idx_chat_sessions_opencode ON chat_sessions(sandbox_id, opencode_session_id) WHERE opencode_session_id IS NOT NULL;
CREATE UNIQUE INDEX idx_chat_sessions_acp ON chat_sessions(sandbox_id, acp_session_id) WHERE acp_session_id IS NOT NULL;
CREATE INDEX idx_chat_sessions_user ON chat_sessions(user_id);
CREATE INDEX idx_chat_sessions_sandbox ON chat_sessions(sandbox_id);
CREATE INDEX idx_chat_sessions_status ON chat_sessions(status);
CREATE INDEX idx_chat_messages_session ON chat_messages(session_id);
CREATE INDEX idx_chat_messages_external ON chat_messages(session_id, external_message_id);
CREATE INDEX idx_chat_messages_created ON chat_messages(created_at);
CREATE INDEX idx_user_preferences_user ON user_preferences(user_id);
CREATE INDEX idx_activity_log_user ON activity_log(user_id);
CREATE INDEX idx_activity_log_action ON activity_log(action);
CREATE INDEX idx_activity_log_entity ON activity_log(entity_type, entity_id);
CREATE INDEX idx_activity_log_created ON activity_log(created_at);
CREATE INDEX idx_activity_archive_action ON activity_log_archive(action);
CREATE INDEX idx_activity_archive_original ON activity_log_archive(original_created_at);

INSERT INTO _migrations (version, name) VALUES (1, 'add_fqdn_url_to_projects');
INSERT INTO _migrations (version, name) VALUES (2, 'add_provider_credentials_tables');
INSERT INTO _migrations (version, name) VALUES (3, 'add_llm_model_to_projects');
INSERT INTO _migrations (version, name) VALUES (4, 'add_user_opencode_config_tables');
INSERT INTO _migrations (version, name) VALUES (5, 'add_container_tiers');
INSERT INTO _migrations (version, name) VALUES (6, 'fix_container_tier_memory_units');
INSERT INTO _migrations (version, name) VALUES (7, 'add_vnc_url_to_projects');
INSERT INTO _migrations (version, name) VALUES (8, 'add_code_server_url_to_projects');
INSERT INTO _migrations (version, name) VALUES (10, 'add_modular_containers');
INSERT INTO _migrations (version, name) VALUES (11, 'add_enabled_to_container_flavors');
INSERT INTO _migrations (version, name) VALUES (12, 'add_better_auth_tables');
INSERT INTO _migrations (version, name) VALUES (13, 'add_sandboxes_table');
INSERT INTO _migrations (version, name) VALUES (14, 'add_chat_sessions_table');
INSERT INTO _migrations (version, name) VALUES (15, 'add_chat_messages_table');
INSERT INTO _migrations (version, name) VALUES (16, 'add_user_preferences_table');
INSERT INTO _migrations (version, name) VALUES (17, 'add_activity_log_tables');
INSERT INTO _migrations (version, name) VALUES (18, 'prepare_docker_sandbox_migration');
