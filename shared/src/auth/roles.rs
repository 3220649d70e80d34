//! Roles and the permission table of API.md §2.4.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OrgAdmin,
    CompanyAdmin,
    CompanyMember,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::OrgAdmin, Role::CompanyAdmin, Role::CompanyMember];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::CompanyAdmin => "company_admin",
            Role::CompanyMember => "company_member",
        }
    }

    /// Company roles are confined to one client.
    pub fn is_company(self) -> bool {
        !matches!(self, Role::OrgAdmin)
    }

    /// The role's permissions, in the order `/api/auth/me` lists them.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::OrgAdmin => &[
                ConnectionsRead,
                ConnectionsWrite,
                TopologyRead,
                DeployWrite,
                PushWrite,
                WorkflowsRead,
                WorkflowsWrite,
                OrgManage,
                CrmRead,
            ],
            Role::CompanyAdmin => &[ConnectionsRead, TopologyRead, WorkflowsRead, CrmRead],
            Role::CompanyMember => &[ConnectionsRead, TopologyRead, CrmRead],
        }
    }

    pub fn has(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

impl std::str::FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ConnectionsRead,
    ConnectionsWrite,
    TopologyRead,
    DeployWrite,
    PushWrite,
    WorkflowsRead,
    WorkflowsWrite,
    OrgManage,
    CrmRead,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ConnectionsRead => "connections.read",
            Permission::ConnectionsWrite => "connections.write",
            Permission::TopologyRead => "topology.read",
            Permission::DeployWrite => "deploy.write",
            Permission::PushWrite => "push.write",
            Permission::WorkflowsRead => "workflows.read",
            Permission::WorkflowsWrite => "workflows.write",
            Permission::OrgManage => "org.manage",
            Permission::CrmRead => "crm.read",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(r: Role) -> Vec<&'static str> {
        r.permissions().iter().map(|p| p.as_str()).collect()
    }

    #[test]
    fn the_permission_table_matches_the_contract() {
        assert_eq!(
            names(Role::OrgAdmin),
            [
                "connections.read",
                "connections.write",
                "topology.read",
                "deploy.write",
                "push.write",
                "workflows.read",
                "workflows.write",
                "org.manage",
                "crm.read"
            ]
        );
        assert_eq!(
            names(Role::CompanyAdmin),
            [
                "connections.read",
                "topology.read",
                "workflows.read",
                "crm.read"
            ]
        );
        assert_eq!(
            names(Role::CompanyMember),
            ["connections.read", "topology.read", "crm.read"]
        );
    }

    #[test]
    fn roles_parse_only_from_their_exact_names() {
        assert_eq!("org_admin".parse(), Ok(Role::OrgAdmin));
        assert_eq!("company_member".parse(), Ok(Role::CompanyMember));
        assert_eq!("ORG_ADMIN".parse::<Role>(), Err(()));
        assert_eq!("admin".parse::<Role>(), Err(()));
    }
}
