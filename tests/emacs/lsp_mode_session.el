;;; lsp_mode_session.el --- a user's lsp-mode session on a Dockerfile, for tests/test_emacs.py  -*- lexical-binding: t; -*-
;; Environment: KANIKO_CONFIG (the shipped setup), KANIKO_ROOT (the project, imported once as a user
;; answers lsp-mode's first prompt), KANIKO_FILE (the Dockerfile), KANIKO_STATE, KANIKO_RESULT.

(package-initialize)
(setq lsp-session-file (expand-file-name "lsp-session" (getenv "KANIKO_STATE")))
(load (getenv "KANIKO_CONFIG") nil t)
(lsp-workspace-folders-add (getenv "KANIKO_ROOT"))
(find-file (getenv "KANIKO_FILE"))

(defun kaniko-test-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (funcall predicate)))

(defun kaniko-test-diagnostics ()
  (gethash (lsp--fix-path-casing buffer-file-name) (lsp-diagnostics t)))

(let ((lines (list (format "mode %s" major-mode))))
  (unless (lsp-workspaces) (lsp))
  (kaniko-test-wait #'kaniko-test-diagnostics 30)
  (push (format "servers %s" (sort (mapcar (lambda (workspace)
                                             (symbol-name (lsp--client-server-id (lsp--workspace-client workspace))))
                                           (lsp-workspaces))
                                   #'string<))
        lines)
  (dolist (diagnostic (kaniko-test-diagnostics))
    (push (format "diagnostic %d %s %s"
                  (1+ (lsp:position-line (lsp:range-start (lsp:diagnostic-range diagnostic))))
                  (lsp:diagnostic-code? diagnostic) (lsp:diagnostic-source? diagnostic))
          lines))
  (with-temp-file (getenv "KANIKO_RESULT") (insert (mapconcat #'identity (nreverse lines) "\n") "\n")))
(kill-emacs 0)
