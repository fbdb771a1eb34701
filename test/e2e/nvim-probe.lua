-- Headless Neovim probe for the harbor-audit language server (driven by test/e2e/neovim.test.mjs).
--
-- Starts the server command from $E2E_CMD with Neovim's built-in LSP client, opens each file in
-- $E2E_FILES, waits for the diagnostics the server pushes, asks for the code actions of each
-- diagnostic, optionally applies the quick fix whose title starts with $E2E_FIX_TITLE (the edit
-- goes back to the server as didChange) and waits for the diagnostics to be re-published.
-- Everything it saw is written as JSON to $E2E_OUT; the assertions live in the Node test.
--
-- Written for Debian bookworm's Neovim 0.7.2: no vim.lsp.start (0.8+) and no pull diagnostics
-- (0.10+), so the client is started with vim.lsp.start_client + vim.lsp.buf_attach_client and the
-- server falls back to publishDiagnostics. Newer Neovims take the same path.

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == '' then error(name .. ' not set') end
  return value
end

local out_path = os.getenv('E2E_OUT')
if not out_path then vim.cmd('cquit 2') end
local v = vim.version()
local result = {
  nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch),
  has_lsp_start = vim.lsp.start ~= nil,
  files = {},
  errors = {},
}
local fix_title = os.getenv('E2E_FIX_TITLE')
local timeout = tonumber(os.getenv('E2E_TIMEOUT_MS') or '15000')
local t0 = vim.loop.hrtime()
local function ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end

local function write_result()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function code_of(d)
  if d.code ~= nil then return d.code end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code or nil
end

local function snapshot(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(list, {
      line = d.lnum, col = d.col, end_line = d.end_lnum, end_col = d.end_col,
      severity = d.severity, source = d.source, code = code_of(d), message = d.message,
    })
  end
  return list
end

-- Neovim 0.7 keeps only part of the LSP diagnostic; rebuild what a codeAction request needs.
-- (Columns are bytes in Neovim and UTF-16 units in LSP; the fixtures are ASCII.)
local function to_lsp(d)
  return {
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity, message = d.message, source = d.source, code = code_of(d),
  }
end

local function code_actions(bufnr, d)
  local lsp_diag = to_lsp(d)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout) or {}
  local actions = {}
  for _, response in pairs(responses) do
    if response.error then table.insert(result.errors, 'codeAction: ' .. vim.inspect(response.error)) end
    for _, action in ipairs(response.result or {}) do table.insert(actions, action) end
  end
  return actions
end

local function probe(client_id, path)
  local entry = { path = path, diagnostics = {}, actions = {} }
  result.files[vim.fn.fnamemodify(path, ':t')] = entry
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  entry.filetype = vim.bo[bufnr].filetype
  if not vim.lsp.buf_attach_client(bufnr, client_id) then
    table.insert(result.errors, 'could not attach the client to ' .. path)
    return
  end
  local started = ms()
  if not vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 25) then
    entry.timed_out = true
    return
  end
  entry.first_diagnostic_ms = ms() - started
  entry.diagnostics = snapshot(bufnr)

  local to_apply
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    for _, action in ipairs(code_actions(bufnr, d)) do
      table.insert(entry.actions, { diagnostic = code_of(d), title = action.title, kind = action.kind, has_edit = action.edit ~= nil })
      if fix_title and not to_apply and action.edit and action.title:sub(1, #fix_title) == fix_title then
        to_apply = { action = action, code = code_of(d) }
      end
    end
  end
  if not to_apply then return end

  local client = vim.lsp.get_client_by_id(client_id)
  vim.lsp.util.apply_workspace_edit(to_apply.action.edit, client.offset_encoding or 'utf-16')
  entry.applied = to_apply.action.title
  entry.text_after_fix = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  -- The old list stays until the server publishes again, so "gone" means a new publish came.
  local gone = vim.wait(timeout, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if code_of(d) == to_apply.code then return false end
    end
    return true
  end, 25)
  entry.fixed_diagnostic_gone = gone
  entry.diagnostics_after_fix = snapshot(bufnr)
end

-- Any error (bad environment, Lua error, LSP failure) ends up in result.errors and nvim still
-- quits: an error left unhandled would keep headless nvim waiting forever.
local ok, err = pcall(function()
  local cmd = vim.fn.json_decode(env('E2E_CMD'))
  local root = env('E2E_ROOT')
  local files = vim.fn.json_decode(env('E2E_FILES'))
  local client_id = vim.lsp.start_client({
    name = 'harbor-audit',
    cmd = cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'workspace' } },
    flags = { debounce_text_changes = 50 },
  })
  assert(client_id, 'vim.lsp.start_client returned nil for ' .. table.concat(cmd, ' '))
  for _, path in ipairs(files) do probe(client_id, path) end
end)
if not ok then table.insert(result.errors, tostring(err)) end
result.total_ms = ms()
write_result()
vim.cmd('qall!')
