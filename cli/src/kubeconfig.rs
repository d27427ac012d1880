//! A kubeconfig that points kubectl at the local server.

pub fn render(context: &str, port: u16) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://127.0.0.1:{port}\n  name: {context}\ncontexts:\n- context:\n    cluster: {context}\n    user: {context}\n  name: {context}\ncurrent-context: {context}\npreferences: {{}}\nusers:\n- name: {context}\n  user: {{}}\n"
    )
}
