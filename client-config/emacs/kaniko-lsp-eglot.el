;;; kaniko-lsp-eglot.el --- kaniko-lsp for Jenkinsfiles with eglot  -*- lexical-binding: t; -*-

;; Load from init.el: (load "/path/to/kaniko-lsp-eglot.el"); then M-x eglot (or eglot-ensure from a
;; hook) in a Jenkinsfile.
;;
;; eglot runs one language server per buffer, so this file gives kaniko-lsp the Jenkinsfiles only and
;; leaves Dockerfile and YAML buffers to the servers you already use there (docker-langserver,
;; yaml-language-server).  The findings of a Dockerfile still show in the Jenkinsfile that builds it,
;; each with the Dockerfile line as related information.  To see them in the Dockerfile buffer as well,
;; next to the other servers, use lsp-mode and kaniko-lsp-mode.el instead.

(require 'eglot)

(unless (fboundp 'groovy-mode)
  ;; without groovy-mode (MELPA), Jenkinsfiles get this small mode: JavaScript's syntax is close enough
  ;; to Groovy's for comments, strings and braces
  (define-derived-mode kaniko-lsp-jenkinsfile-mode js-mode "Jenkinsfile"
    "Major mode for Jenkinsfiles when groovy-mode is not installed."))

(defconst kaniko-lsp-jenkinsfile-mode-for-files
  (if (fboundp 'groovy-mode) 'groovy-mode 'kaniko-lsp-jenkinsfile-mode)
  "The major mode Jenkinsfiles open in.")

(dolist (pattern '("/Jenkinsfile\\'" "/Jenkinsfile\\.[^/]*\\'" "\\.[Jj]enkinsfile\\'"))
  (add-to-list 'auto-mode-alist (cons pattern kaniko-lsp-jenkinsfile-mode-for-files)))

(add-to-list 'eglot-server-programs
             `(,kaniko-lsp-jenkinsfile-mode-for-files
               . ("kaniko-lsp" "serve"
                  :initializationOptions (:kanikoLsp (:fixOnSave :json-false)))))

(provide 'kaniko-lsp-eglot)
;;; kaniko-lsp-eglot.el ends here
