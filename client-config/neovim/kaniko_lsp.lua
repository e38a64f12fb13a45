-- kaniko-lsp for Neovim 0.11 and later: put this file in ~/.config/nvim/lsp/kaniko_lsp.lua
-- and call vim.lsp.enable("kaniko_lsp") from init.lua.
-- Jenkinsfiles are Groovy (Neovim knows `Jenkinsfile`; this adds its variants).
vim.filetype.add({
  filename = { Jenkinsfile = "groovy" },
  pattern = { ["Jenkinsfile%..*"] = { "groovy", { priority = -1 } }, [".*%.[Jj]enkinsfile"] = "groovy" },
})
return {
  cmd = { "kaniko-lsp", "serve" },
  filetypes = { "groovy", "dockerfile", "yaml" },
  root_markers = { ".kaniko-lsp.yaml", "Jenkinsfile", ".git" },
  init_options = { kanikoLsp = { fixOnSave = false } },
  settings = { kanikoLsp = { fixOnSave = false } },
}
