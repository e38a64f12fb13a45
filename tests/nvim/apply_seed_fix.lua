-- Driven by tests/test_neovim.py: opens the seed Jenkinsfile, waits for KL001, applies the preferred
-- code action and writes what happened to the result file given in KANIKO_RESULT.
local result_path = os.getenv("KANIKO_RESULT")
local function finish(lines, code)
  local file = io.open(result_path, "w")
  file:write(table.concat(lines, "\n") .. "\n")
  file:close()
  vim.cmd(code == 0 and "qall!" or "cquit " .. code)
end

dofile(os.getenv("KANIKO_CONFIG")).setup({ cmd = { os.getenv("KANIKO_SERVER"), "serve" },
                                             root_dir = os.getenv("KANIKO_ROOT") })
vim.cmd("filetype on")
vim.cmd("edit " .. os.getenv("KANIKO_ROOT") .. "/Jenkinsfile")
vim.cmd("setfiletype groovy")

local found = vim.wait(20000, function() return #vim.diagnostic.get(0) >= 2 end, 50)
if not found then
  finish({ "no diagnostics" }, 2)
  return
end
local target = nil
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  if diagnostic.lnum == 14 then target = diagnostic end
end
if target == nil then
  finish({ "no diagnostic on the workingDir line" }, 3)
  return
end
vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
local params = vim.lsp.util.make_range_params()
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(0, target.lnum) }
local responses = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 20000) or {}
local applied = false
for client_id, response in pairs(responses) do
  for _, action in ipairs(response.result or {}) do
    if action.isPreferred and not applied then
      local client = vim.lsp.get_client_by_id(client_id)
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      applied = true
    end
  end
end
local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
local output = { "diagnostic " .. target.lnum .. ":" .. target.col .. " " .. (target.code or target.user_data.lsp.code),
                 "applied " .. tostring(applied), "line13 " .. lines[13], "line15 " .. lines[15] }
finish(output, applied and 0 or 4)
