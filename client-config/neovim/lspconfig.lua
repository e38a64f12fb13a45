-- kaniko-lsp as an nvim-lspconfig server definition (for setups that still use require("lspconfig")).
-- Usage: copy this file to ~/.config/nvim/lspconfig_kaniko.lua, then in init.lua:
--   dofile(vim.fn.stdpath("config") .. "/lspconfig_kaniko.lua")
local configs = require("lspconfig.configs")
local util = require("lspconfig.util")

if not configs.kaniko_lsp then
  configs.kaniko_lsp = {
    default_config = {
      cmd = { "kaniko-lsp", "serve" },
      filetypes = { "groovy", "dockerfile", "yaml" },
      root_dir = util.root_pattern(".kaniko-lsp.yaml", "Jenkinsfile", ".git"),
      settings = { kanikoLsp = {} },
    },
    docs = { description = "kaniko-lsp: kaniko workingDir and mount conflicts in Jenkins pipelines" },
  }
end

require("lspconfig").kaniko_lsp.setup({})
