-- Driven by tests/test_neovim.py: a user's session with the shipped 0.7 configuration and Neovim's own
-- filetype detection. Opens the seed Jenkinsfile, hovers the workingDir key, applies the preferred quick
-- fix through vim.lsp.buf.code_action (the menu answered by its preferred entry), then opens only the
-- Dockerfile of an on-disk pair and applies its fix, which edits the Jenkinsfile; writes what happened.
local out = {}
local function say(line) table.insert(out, line) end
local function finish(code)
  local file = io.open(os.getenv("KANIKO_RESULT"), "w")
  file:write(table.concat(out, "\n") .. "\n")
  file:close()
  vim.cmd(code == 0 and "qall!" or "cquit " .. code)
end
local function wait(predicate, what)
  if not vim.wait(20000, predicate, 50) then
    say("timed out waiting for " .. what)
    finish(2)
    error(what)
  end
end

dofile(os.getenv("KANIKO_CONFIG")).setup({ cmd = { os.getenv("KANIKO_SERVER"), "serve" },
                                             root_dir = os.getenv("KANIKO_ROOT") })
vim.ui.select = function(items, opts, on_choice)
  for _, item in ipairs(items) do
    local action = item[2]
    if action.isPreferred then return on_choice(item) end
  end
  on_choice(nil)
end

-- the seed: hover, quick fix
vim.cmd("edit " .. os.getenv("KANIKO_ROOT") .. "/Jenkinsfile")
say("filetype " .. vim.bo.filetype)
wait(function() return #vim.diagnostic.get(0) >= 2 end, "the seed's diagnostics")
local target = nil
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  if diagnostic.lnum == 14 then target = diagnostic end
end
say("diagnostic " .. target.lnum .. ":" .. target.col .. " " .. target.user_data.lsp.code)
vim.api.nvim_win_set_cursor(0, { 15, 14 })  -- on the `workingDir` key
local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", vim.lsp.util.make_position_params(), 20000)
for _, response in pairs(hover or {}) do
  if response.result then say("hover " .. response.result.contents.value:match("Working directory: `[^`]*`")) end
end
vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
vim.lsp.buf.code_action()
wait(function() return vim.api.nvim_buf_get_lines(0, 14, 15, false)[1]:match("agent") ~= nil end, "the fix")
say("line13 " .. vim.api.nvim_buf_get_lines(0, 12, 13, false)[1])
say("line15 " .. vim.api.nvim_buf_get_lines(0, 14, 15, false)[1])
wait(function() return #vim.diagnostic.get(0) == 0 end, "the seed's diagnostics to clear")
say("seed clear")

-- an on-disk pair: the fix offered on the Dockerfile edits the Jenkinsfile, which is not open
vim.cmd("edit " .. os.getenv("KANIKO_PAIR") .. "/Dockerfile")
say("filetype " .. vim.bo.filetype)
local dockerfile = vim.api.nvim_get_current_buf()
wait(function() return #vim.diagnostic.get(dockerfile) >= 1 end, "the Dockerfile's diagnostics")
say("dockerfile before " .. #vim.diagnostic.get(dockerfile))
local first = vim.diagnostic.get(dockerfile)[1]
vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
vim.lsp.buf.code_action()
wait(function() return #vim.diagnostic.get(dockerfile) == 0 end, "the Dockerfile's diagnostics to clear")
say("dockerfile after 0")
finish(0)
