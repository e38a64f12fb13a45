-- kaniko-lsp for Neovim 0.7 to 0.10 (no vim.lsp.config there).
-- Usage in init.lua:  require("kaniko_lsp_0_7").setup({ cmd = { "kaniko-lsp", "serve" } })
-- (copy this file into ~/.config/nvim/lua/ or load it with dofile()).
local M = {}

M.filetypes = { "groovy", "Jenkinsfile", "dockerfile", "yaml" }

-- Neovim 0.7 gives Jenkinsfiles no filetype: they are Groovy.
local function detect_jenkinsfiles()
  vim.api.nvim_create_autocmd({ "BufNewFile", "BufRead" }, {
    pattern = { "Jenkinsfile", "Jenkinsfile.*", "*.jenkinsfile", "*.Jenkinsfile" },
    callback = function(args)
      local name = vim.fn.fnamemodify(args.file, ":t")
      if not name:match("%.md$") and not name:match("%.json$") and vim.bo[args.buf].filetype == "" then
        vim.bo[args.buf].filetype = "groovy"
      end
    end,
  })
end

function M.setup(opts)
  opts = opts or {}
  detect_jenkinsfiles()
  local client_id = nil
  vim.api.nvim_create_autocmd("FileType", {
    pattern = opts.filetypes or M.filetypes,
    callback = function(args)
      if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
        client_id = vim.lsp.start_client({
          name = "kaniko-lsp",
          cmd = opts.cmd or { "kaniko-lsp", "serve" },
          root_dir = opts.root_dir or vim.fn.getcwd(),
          init_options = { kanikoLsp = opts.settings or {} },
        })
      end
      if client_id then
        vim.lsp.buf_attach_client(args.buf, client_id)
      end
    end,
  })
end

return M
