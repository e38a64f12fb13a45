;;; kaniko-lsp-mode.el --- kaniko-lsp with lsp-mode, next to your other servers  -*- lexical-binding: t; -*-

;; Load from init.el: (load "/path/to/kaniko-lsp-mode.el"), with kaniko-lsp-jenkinsfile.el beside
;; it.  kaniko-lsp is registered as an add-on client: it runs in Jenkinsfile, Dockerfile and YAML
;; buffers alongside the main server of each (groovy-language-server, docker-langserver,
;; yaml-language-server), and `lsp' starts it in those buffers.  Dockerfiles need dockerfile-mode and
;; YAML files yaml-mode (or their tree-sitter modes).

(require 'lsp-mode)

(load (expand-file-name "kaniko-lsp-jenkinsfile" (file-name-directory (or load-file-name buffer-file-name)))
      nil t)

(add-to-list 'lsp-language-id-configuration '(kaniko-lsp-jenkinsfile-mode . "groovy"))

(defconst kaniko-lsp-modes
  (list kaniko-lsp-jenkinsfile-mode-for-files 'dockerfile-mode 'dockerfile-ts-mode 'yaml-mode 'yaml-ts-mode)
  "Major modes whose buffers kaniko-lsp analyses.")

(lsp-register-client
 (make-lsp-client
  :new-connection (lsp-stdio-connection '("kaniko-lsp" "serve"))
  :activation-fn (lambda (_file mode) (memq mode kaniko-lsp-modes))
  :add-on? t
  :server-id 'kaniko-lsp
  :initialization-options '(:kanikoLsp (:fixOnSave :json-false))))

(dolist (mode kaniko-lsp-modes)
  (add-hook (intern (format "%s-hook" mode)) #'lsp-deferred))

(provide 'kaniko-lsp-mode)
;;; kaniko-lsp-mode.el ends here
