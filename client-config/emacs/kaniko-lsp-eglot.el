;;; kaniko-lsp-eglot.el --- kaniko-lsp for Jenkinsfiles with eglot  -*- lexical-binding: t; -*-

;; Load from init.el: (load "/path/to/kaniko-lsp-eglot.el"), with kaniko-lsp-jenkinsfile.el beside
;; it; then M-x eglot (or eglot-ensure from a hook) in a Jenkinsfile.
;;
;; eglot runs one language server per buffer, so this file gives kaniko-lsp the Jenkinsfiles only and
;; leaves Dockerfile and YAML buffers to the servers you already use there (docker-langserver,
;; yaml-language-server).  The findings of a Dockerfile still show in the Jenkinsfile that builds it,
;; each with the Dockerfile line as related information.  To see them in the Dockerfile buffer as well,
;; next to the other servers, use lsp-mode and kaniko-lsp-mode.el instead.

(require 'eglot)

(load (expand-file-name "kaniko-lsp-jenkinsfile" (file-name-directory (or load-file-name buffer-file-name)))
      nil t)

(add-to-list 'eglot-server-programs
             `(,kaniko-lsp-jenkinsfile-mode-for-files
               . ("kaniko-lsp" "serve"
                  :initializationOptions (:kanikoLsp (:fixOnSave :json-false)))))

(provide 'kaniko-lsp-eglot)
;;; kaniko-lsp-eglot.el ends here
