//! The nodes of the cluster, with the columns of `kubectl get nodes`.

use leptos::prelude::*;

use crate::state::SimHandle;

#[component]
pub fn NodeList(handle: SimHandle) -> impl IntoView {
    let rows = move || handle.read(|c| c.node_rows());
    view! {
        <table class="nodes">
            <thead>
                <tr>
                    <th scope="col">"NAME"</th>
                    <th scope="col">"STATUS"</th>
                    <th scope="col">"ROLES"</th>
                    <th scope="col">"AGE"</th>
                    <th scope="col">"VERSION"</th>
                </tr>
            </thead>
            <tbody>
                <For each=rows key=|row| row.clone() let:row>
                    {
                        let (name, status) = (row.name.clone(), row.status.clone());
                        view! {
                            <tr class="node" data-name=name data-status=status>
                                <td class="name">{row.name}</td>
                                <td class="status">{row.status}</td>
                                <td class="roles">{row.roles}</td>
                                <td class="age">{row.age}</td>
                                <td class="version">{row.version}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
    }
}
