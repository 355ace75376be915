import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

export enum AdminRoleName {
  admin = 'admin',
  viewer = 'viewer',
}
registerEnumType(AdminRoleName, { name: 'AdminRole', description: 'admin: everything; viewer: read only' });

@ObjectType({ description: 'Someone who may use the admin API' })
export class AdminAccount {
  @Field()
  @ApiProperty()
  username!: string;

  @Field(() => AdminRoleName)
  @ApiProperty({ enum: AdminRoleName, enumName: 'AdminRole', description: 'admin: everything; viewer: read only' })
  role!: AdminRoleName;
}

@ObjectType({ description: 'The tokens of a login: the access token for requests, the refresh token for new ones' })
export class LoginResult {
  @Field({ description: 'Send as "Authorization: Bearer <token>"; valid for 15 minutes' })
  @ApiProperty({ description: 'Send as "Authorization: Bearer <token>"; valid for 15 minutes' })
  accessToken!: string;

  @Field({ description: 'Trade for new tokens with refreshToken before it expires (7 days); each may be used once' })
  @ApiProperty({ description: 'Trade for new tokens with POST /api/v1/auth/refresh before it expires (7 days); each may be used once' })
  refreshToken!: string;

  @Field({ description: 'When the access token expires' })
  @ApiProperty({ description: 'When the access token expires' })
  expiresAt!: Date;

  @Field(() => AdminAccount)
  @ApiProperty()
  account!: AdminAccount;
}

/** What signing in over REST takes (GraphQL: the arguments of login). */
export class Credentials {
  @ApiProperty({ description: 'A user with the admin or viewer role' })
  username!: string;

  @ApiProperty()
  password!: string;
}

/** What new tokens over REST take (GraphQL: the token argument of refreshToken). */
export class RefreshTokenInput {
  @ApiProperty({ description: 'The refreshToken of the login or of the last refresh; it is spent' })
  refreshToken!: string;
}
