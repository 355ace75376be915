import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum AdminRoleName {
  admin = 'admin',
  viewer = 'viewer',
}
registerEnumType(AdminRoleName, { name: 'AdminRole', description: 'admin: everything; viewer: read only' });

@ObjectType({ description: 'Someone who may use the admin API' })
export class AdminAccount {
  @Field()
  username!: string;

  @Field(() => AdminRoleName)
  role!: AdminRoleName;
}

@ObjectType({ description: 'The tokens of a login: the access token for requests, the refresh token for new ones' })
export class LoginResult {
  @Field({ description: 'Send as "Authorization: Bearer <token>"; valid for 15 minutes' })
  accessToken!: string;

  @Field({ description: 'Trade for new tokens with refreshToken before it expires (7 days); each may be used once' })
  refreshToken!: string;

  @Field({ description: 'When the access token expires' })
  expiresAt!: Date;

  @Field(() => AdminAccount)
  account!: AdminAccount;
}
